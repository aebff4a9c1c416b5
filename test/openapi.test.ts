import fs from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedTypes, openApiDocument, TYPES_FILE } from '../scripts/openapi.js';
import { apiRoutes, buildServer } from '../src/http/server.js';
import type { paths } from '../web/src/api/openapi.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildWorkspace } from './support/factories.js';

describe('the OpenAPI document', () => {
  let doc: Record<string, unknown>;
  beforeAll(async () => {
    doc = await openApiDocument();
  });

  it('is a valid OpenAPI 3.1 document (independent validator)', async () => {
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('documents every API route, with its operation id', async () => {
    const db = await openTestDb('pglite');
    try {
      const paths = doc.paths as Record<string, Record<string, { operationId?: string }>>;
      for (const r of apiRoutes(db.ctx)) {
        const path = r.url.replace(/:(\w+)/g, '{$1}');
        const op = paths[path]?.[r.method.toLowerCase()];
        expect(op, `${r.method} ${r.url}`).toBeDefined();
        expect(op?.operationId).toBe(r.id);
      }
    } finally {
      await db.close();
    }
  });

  it('matches the committed generated client types (run `npm run gen:api` after changing routes)', async () => {
    expect(fs.readFileSync(TYPES_FILE, 'utf8')).toBe(await generatedTypes(doc));
  });
});

describe(`a typed client generated from /openapi.json drives a full flow (${ENGINE})`, () => {
  let db: TestDb;
  let app: FastifyInstance;
  let baseUrl: string;
  beforeAll(async () => {
    db = await openTestDb();
    app = await buildServer(db.ctx, { signingKeyFile: `${fs.mkdtempSync('/tmp/pl-key-')}/key.pem` });
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('signs in, creates an account and a promise, pauses, resumes, keeps it with proof, reads history, verifies', async () => {
    db.clock.now = new Date();
    const ws = await buildWorkspace(db.ctx);
    const anon = createClient<paths>({ baseUrl });
    const signIn = await anon.POST('/api/v1/auth/sign-in', {
      body: { workspace: ws.slug, email: `admin@${ws.slug}.test`, password: 'correct horse battery staple' },
    });
    expect(signIn.response.status).toBe(200);
    const cookie = signIn.response.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = signIn.data as unknown as { csrfToken: string };
    const api = createClient<paths>({ baseUrl, headers: { cookie, 'x-csrf-token': csrfToken } });

    const account = await api.POST('/api/v1/accounts', {
      body: {
        name: 'Northwind Analytics',
        tier: 'enterprise',
        arrMinor: 12_000_000,
        currency: 'USD',
        lifecycleStage: 'adopt',
        ownerId: ws.adminId,
      },
    });
    expect(account.response.status, JSON.stringify(account.error)).toBe(201);
    const accountId = (account.data as unknown as { id: string }).id;

    const created = await api.POST('/api/v1/promises', {
      body: {
        accountId,
        typeKey: 'product_follow_up',
        promiseMade: 'Send Maya a 2-minute video showing how to filter exports by region',
        customerReason: 'She defends the rollout in Monday’s leadership meeting',
        ownerId: ws.adminId,
        dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      },
    });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const promiseId = (created.data as unknown as { id: string }).id;
    const params = { path: { promiseId } };

    const paused = await api.POST('/api/v1/promises/{promiseId}/pause', {
      params,
      body: { cause: 'customer', note: 'Waiting for their export sample' },
    });
    expect(paused.response.status).toBe(200);
    const resumed = await api.POST('/api/v1/promises/{promiseId}/resume', {
      params,
      body: { note: 'Sample arrived' },
    });
    expect(resumed.response.status).toBe(200);
    const kept = await api.POST('/api/v1/promises/{promiseId}/keep', {
      params,
      body: {
        proof: { kind: 'loom_recorded', url: 'https://video.example.com/filters' },
        recoveryStrength: 'confidence_restored',
      },
    });
    expect(kept.response.status).toBe(200);
    expect(kept.data).toMatchObject({ status: 'kept', proof: { kind: 'loom_recorded' } });

    const read = await api.GET('/api/v1/promises/{promiseId}', { params });
    const history = (read.data as unknown as { history: { type: string }[]; verified: boolean }).history;
    expect(history.map((e) => e.type)).toEqual(['created', 'paused', 'resumed', 'kept']);
    expect((read.data as unknown as { verified: boolean }).verified).toBe(true);

    const checkpoint = await api.POST('/api/v1/ledger/checkpoints', {});
    expect(checkpoint.response.status).toBe(201);
    const verified = await api.POST('/api/v1/ledger/verify', {});
    expect(verified.data).toMatchObject({ ok: true, events: 4, problem: null });
  });
});
