import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every environment variable the product reads; each is documented in README.md ("Configuration"). */
const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PL_DATA_DIR: z.string().min(1).default('./data'),
  PL_SIGNING_KEY_FILE: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PL_DEMO: bool.default(true),
  PL_PG_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  PL_PUBLIC_URL: z
    .url({ message: 'must be the URL users reach the server at, e.g. https://crm.example.com' })
    .optional(),
  PL_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(60 * 24 * 30)
    .default(12 * 60),
  PL_SESSION_MAX_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  PL_MAX_FAILED_SIGNINS: z.coerce.number().int().min(1).max(10_000).default(100),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PL_SCHEDULER: z.enum(['on', 'off']).default('on'),
  PL_SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(1000),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587')
    .optional(),
  PL_MAIL_FROM: z.string().min(3).max(300).default('Promise Ledger <no-reply@localhost>'),
});

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  signingKeyFile: string;
  port: number;
  host: string;
  demo: boolean;
  pgPoolMax: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  publicUrl: string | undefined;
  /** Cookies are Secure when the public URL is HTTPS. */
  secureCookies: boolean;
  session: { idleMs: number; absoluteMs: number; maxFailuresPerHour: number };
  /** The reminder scheduler in `serve` (src/reminders): on unless PL_SCHEDULER=off; pause between passes. */
  scheduler: { enabled: boolean; intervalMs: number };
  /** Email delivery: the SMTP server (unset: email deliveries wait and retry) and the From header. */
  mail: { smtpUrl: string | undefined; from: string };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    throw new AppError(
      'config_invalid',
      `invalid configuration: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
      { problems },
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.PL_DATA_DIR);
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir,
    signingKeyFile: path.resolve(
      e.PL_SIGNING_KEY_FILE ?? path.join(dataDir, 'keys', 'ledger-signing-key.pem'),
    ),
    port: e.PORT,
    host: e.HOST,
    demo: e.PL_DEMO,
    pgPoolMax: e.PL_PG_POOL_MAX,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PL_PUBLIC_URL,
    secureCookies: e.PL_PUBLIC_URL?.startsWith('https://') ?? false,
    scheduler: { enabled: e.PL_SCHEDULER === 'on', intervalMs: e.PL_SCHEDULER_INTERVAL_MS },
    mail: { smtpUrl: e.SMTP_URL, from: e.PL_MAIL_FROM },
    session: {
      idleMs: e.PL_SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: e.PL_SESSION_MAX_DAYS * 86_400_000,
      maxFailuresPerHour: e.PL_MAX_FAILED_SIGNINS,
    },
  };
}
