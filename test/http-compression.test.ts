// API answers are compressed for clients that accept it (Brotli first, then gzip), sent plain to
// those that do not, and small answers are not compressed at all. Both engines.
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildAccount, buildWorkspace, tokenHeaders } from './support/factories.js';

let db: TestDb;
let app: FastifyInstance;
let admin: { authorization: string };

beforeAll(async () => {
  db = await openTestDb();
  app = await buildServer(db.ctx);
  const w = await buildWorkspace(db.ctx);
  admin = await tokenHeaders(db.ctx, w.workspaceId, w.adminId);
  for (let i = 0; i < 30; i++) await buildAccount(db.ctx, { workspaceId: w.workspaceId, ownerId: w.adminId });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const get = (url: string, encoding?: string) =>
  app.inject({
    method: 'GET',
    url,
    headers: { ...admin, ...(encoding ? { 'accept-encoding': encoding } : {}) },
  });

describe(`compressed API answers (${ENGINE})`, () => {
  it('a list goes out as Brotli to a client that accepts it, as gzip to one that only takes gzip', async () => {
    const plain = await get('/api/v1/accounts?limit=30');
    expect(plain.statusCode, plain.body).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const expected = plain.json();
    expect(expected.data).toHaveLength(30);

    const br = await get('/api/v1/accounts?limit=30', 'br, gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    const brBody = zlib.brotliDecompressSync(br.rawPayload);
    expect(JSON.parse(brBody.toString('utf8'))).toEqual(expected);
    expect(br.rawPayload.length).toBeLessThan(brBody.length / 3);

    const gz = await get('/api/v1/accounts?limit=30', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(gz.rawPayload).toString('utf8'))).toEqual(expected);
  });

  it('an answer under 1 KB, such as an error, is sent as it is', async () => {
    const missing = await get('/api/v1/accounts/00000000-0000-7000-8000-000000000000', 'br, gzip');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-encoding']).toBeUndefined();
    expect(missing.json()).toMatchObject({ status: 404 });
  });

  it('a CSV export is compressed too', async () => {
    // A row per day for a quarter: well over the threshold even with no promise in it.
    const url = '/api/v1/measures/fulfilment?format=csv&period=day&from=2026-01-01&to=2026-03-31';
    const csv = await get(url, 'gzip');
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-encoding']).toBe('gzip');
    const text = zlib.gunzipSync(csv.rawPayload).toString('utf8');
    expect(text.split('\n')[0]).toMatch(/^period,periodStart,/);
    expect(text).toBe((await get(url)).body);
  });
});
