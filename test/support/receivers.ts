// Real receivers for delivery tests, started in-process on 127.0.0.1:
//   startWebhookReceiver: an HTTP server that verifies Standard Webhooks signatures with the
//     independent `standardwebhooks` package and dedupes by webhook-id;
//   startSmtpServer: an SMTP server (`smtp-server`) whose messages are parsed with `mailparser`.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  /** The webhook-id header. */
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  headers: http.IncomingHttpHeaders;
  path: string;
  body: string;
  /** The parsed JSON body (null when it is not JSON). */
  json: unknown;
  /** true: the signature verified; false: it did not (answered 401); null: no secret to check with. */
  verified: boolean | null;
  verifyError?: string;
  /** The status answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  /** Every request, in arrival order. */
  received: ReceivedWebhook[];
  /** The webhook-ids of verified requests answered 2xx: what the receiver processed (deduped). */
  unique: Set<string>;
  /** The whsec_ secret to verify with (set it once the subscription is created). */
  secret: string | undefined;
  close(): Promise<void>;
}

/**
 * An HTTP receiver. `status(req, n)` decides the answer to the n-th (0-based) request that passed
 * verification (default 200); a request that fails verification is answered 401. `now` is the
 * clock the 5-minute timestamp tolerance is checked against (default: the wall clock).
 */
export async function startWebhookReceiver(
  opts: { status?: (req: ReceivedWebhook, n: number) => number; secret?: string; now?: () => Date } = {},
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const unique = new Set<string>();
  let verifiedCount = 0;
  const receiver: WebhookReceiver = {
    url: '',
    received,
    unique,
    secret: opts.secret,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const h = req.headers;
      const one = (name: string) => (typeof h[name] === 'string' ? (h[name] as string) : undefined);
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const entry: ReceivedWebhook = {
        id: one('webhook-id'),
        timestamp: one('webhook-timestamp'),
        signature: one('webhook-signature'),
        headers: h,
        path: req.url ?? '/',
        body,
        json,
        verified: null,
        status: 0,
      };
      if (receiver.secret) {
        try {
          const wh = new Webhook(receiver.secret);
          if (opts.now) {
            // The library checks the timestamp against the wall clock; tests may run on their own.
            const now = opts.now;
            (wh as unknown as { verifyTimestamp: (h: string) => Date }).verifyTimestamp = (
              header: string,
            ) => {
              const ts = Number.parseInt(header, 10);
              if (Number.isNaN(ts) || Math.abs(now().getTime() / 1000 - ts) > 300) {
                throw new Error('Message timestamp outside tolerance');
              }
              return new Date(ts * 1000);
            };
          }
          wh.verify(body, {
            'webhook-id': entry.id ?? '',
            'webhook-timestamp': entry.timestamp ?? '',
            'webhook-signature': entry.signature ?? '',
          });
          entry.verified = true;
        } catch (err) {
          entry.verified = false;
          entry.verifyError = (err as Error).message;
        }
      }
      entry.status = entry.verified === false ? 401 : (opts.status?.(entry, verifiedCount++) ?? 200);
      if (entry.verified !== false && entry.status >= 200 && entry.status < 300 && entry.id)
        unique.add(entry.id);
      received.push(entry);
      res.writeHead(entry.status, { 'content-type': 'text/plain' }).end(entry.status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/hooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export interface SmtpReceiver {
  /** smtp://127.0.0.1:<port> */
  url: string;
  messages: ParsedMail[];
  /** Client connections open right now (a client that gave up closes its own). */
  openConnections(): number;
  close(): Promise<void>;
}

/**
 * An SMTP server without authentication or TLS. mode: `accept` (default); `refuse` answers MAIL
 * FROM with 554; `reject-recipient` answers RCPT TO with 550; `hang` never sends its greeting.
 */
export async function startSmtpServer(
  opts: { mode?: 'accept' | 'refuse' | 'reject-recipient' | 'hang' } = {},
): Promise<SmtpReceiver> {
  const messages: ParsedMail[] = [];
  const mode = opts.mode ?? 'accept';
  const smtpError = (message: string, responseCode: number) =>
    Object.assign(new Error(message), { responseCode });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 50,
    onConnect(_session, cb) {
      if (mode === 'hang') return; // no greeting, ever
      cb();
    },
    onMailFrom(_address, _session, cb) {
      if (mode === 'refuse') return cb(smtpError('Service unavailable, try later', 554));
      cb();
    },
    onRcptTo(_address, _session, cb) {
      if (mode === 'reject-recipient') return cb(smtpError('No such user here', 550));
      cb();
    },
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m) => {
          messages.push(m);
          cb();
        })
        .catch((err: Error) => cb(err));
    },
  });
  let open = 0;
  server.server.on('connection', (socket: Socket) => {
    open++;
    socket.once('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    openConnections: () => open,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
