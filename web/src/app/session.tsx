// Who is signed in. The session comes from GET /auth/session (the cookie is httpOnly); a 401 anywhere
// clears it, and the router sends the user to sign-in with the page they were on, to return to it.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, call, client, onUnauthenticated, setCsrfToken } from '../api/client';
import type { SessionView } from '../api/types';

interface SessionState {
  /** undefined while loading; null when signed out. */
  session: SessionView | null | undefined;
  /** The reason the user was signed out (expired session), shown on the sign-in page. */
  notice: string | null;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const s = await call<SessionView>(client.GET('/api/v1/auth/session'));
      setCsrfToken(s.csrfToken);
      setNotice(null);
      setSession(s);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setCsrfToken(null);
        setSession(null);
      } else {
        throw e;
      }
    }
  }, []);

  const signOut = useCallback(async () => {
    await call(client.POST('/api/v1/auth/sign-out')).catch(() => undefined);
    setCsrfToken(null);
    setSession(null);
  }, []);

  useEffect(() => {
    refresh().catch(() => setSession(null));
    return onUnauthenticated(() => {
      setCsrfToken(null);
      setSession((s) => {
        if (s) setNotice('Your session ended. Sign in again to continue where you were.');
        return null;
      });
    });
  }, [refresh]);

  const value = useMemo(() => ({ session, notice, refresh, signOut }), [session, notice, refresh, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in session (inside the signed-in part of the app only). */
export function useSignedIn(): SessionView {
  const { session } = useSession();
  if (!session) throw new Error('useSignedIn without a session');
  return session;
}
