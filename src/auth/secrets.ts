import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer secrets carry their own lookup key: `<prefix>.<workspaceId>.<id>.<secret>`. The row is
 * found by (workspace, id) — every lookup stays workspace-scoped — and the secret is compared by
 * hash in constant time. Secrets are 256 random bits, so a plain SHA-256 is enough to store.
 */
export interface ParsedSecret {
  workspaceId: string;
  id: string;
  secret: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export function newSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function formatSecret(prefix: string, workspaceId: string, id: string, secret: string): string {
  return `${prefix}.${workspaceId}.${id}.${secret}`;
}

export function parseSecret(prefix: string, value: string | undefined): ParsedSecret | undefined {
  if (!value) return undefined;
  const m = new RegExp(`^${prefix}\\.(${UUID})\\.(${UUID})\\.([A-Za-z0-9_-]{43})$`).exec(value.trim());
  if (!m) return undefined;
  return { workspaceId: m[1]!, id: m[2]!, secret: m[3]! };
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
