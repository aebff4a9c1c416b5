import fs from 'node:fs';
import { recordSecurityEvent } from '../audit/security-log.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { type AnyRoute, route } from '../http/route.js';
import { createCheckpoint, latestCheckpoint } from './checkpoint.js';
import { loadOrCreateSigningKey } from './keys.js';
import { verifyLedger } from './verify-ledger.js';

/**
 * Proof of the workspace's history over HTTP. Verification reads every event of the workspace:
 * fine for a workspace of thousands of promises; for millions, run `promise-ledger verify`.
 */
export function ledgerRoutes(ctx: AppContext, opts: { signingKeyFile?: string | undefined }): AnyRoute[] {
  return [
    route({
      id: 'ledger.verify',
      method: 'POST',
      url: '/api/v1/ledger/verify',
      auth: 'audit.read',
      idempotent: false,
      summary:
        'Recompute every hash chain of the workspace and check it against the newest signed checkpoint; names the first bad event.',
      tags: ['ledger'],
      handler: async ({ principal }) => {
        const trusted =
          opts.signingKeyFile && fs.existsSync(opts.signingKeyFile)
            ? loadOrCreateSigningKey(opts.signingKeyFile).publicKeyPem
            : undefined;
        const report = await verifyLedger(ctx, {
          workspace: principal.workspaceId,
          trustedPublicKeyPem: trusted,
        });
        const w = report.workspaces[0];
        return {
          ok: report.ok,
          streams: w?.streams ?? 0,
          events: report.events,
          checkpoint: w?.checkpoint ?? null,
          problem: report.problem ?? null,
          elapsedMs: Math.round(report.elapsedMs),
        };
      },
    }),
    route({
      id: 'ledger.checkpoints.create',
      method: 'POST',
      url: '/api/v1/ledger/checkpoints',
      auth: 'settings.manage',
      summary:
        'Sign a checkpoint over every promise stream head; the response is the exportable checkpoint file.',
      tags: ['ledger'],
      status: 201,
      handler: async ({ principal }) => {
        if (!opts.signingKeyFile)
          throw new AppError('config_invalid', 'no signing key is configured for this server');
        const key = loadOrCreateSigningKey(opts.signingKeyFile);
        const cp = await createCheckpoint(ctx, { workspace: principal.workspaceId, key });
        await recordSecurityEvent(ctx.database.db, {
          workspaceId: principal.workspaceId,
          kind: 'export',
          at: ctx.now(),
          actorId: principal.userId,
          detail: { what: 'ledger checkpoint', checkpointId: cp.id },
        });
        return cp;
      },
    }),
    route({
      id: 'ledger.checkpoints.latest',
      method: 'GET',
      url: '/api/v1/ledger/checkpoints/latest',
      auth: 'audit.read',
      summary: 'The newest signed checkpoint of the workspace, as an exportable file.',
      tags: ['ledger'],
      handler: async ({ principal }) => {
        const cp = await latestCheckpoint(ctx, principal.workspaceId);
        if (!cp)
          throw new AppError('not_found', 'no checkpoint has been signed yet', { field: 'checkpoint' });
        return cp;
      },
    }),
  ];
}
