// Browser-test harness: the real server (API + built web app) on a loopback port over a real test
// database (PGlite, or Postgres with TEST_DATABASE_URL), and Debian's Chromium driven by playwright-core.
// Tests save a screenshot of each page under test-artifacts/screenshots (kept out of git).
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { buildServer } from '../../src/http/server.js';
import { openTestDb, type TestDb } from '../../test/support/db.js';
import { buildUserWithPassword, PASSWORD } from '../../test/support/http.js';

export const CHROMIUM = process.env.PL_CHROMIUM ?? '/usr/bin/chromium';
/** Browser tests need Chromium; outside CI they are skipped (with this reason) when it is missing. */
export const SKIP_BROWSER_REASON = fs.existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} not found: browser tests skipped (apt-get install -y chromium)`;
if (SKIP_BROWSER_REASON && process.env.CI) throw new Error(SKIP_BROWSER_REASON);

const WEB_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../web/dist');
const SHOTS = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../test-artifacts/screenshots',
);

export interface E2EApp {
  db: TestDb;
  ctx: AppContext;
  server: FastifyInstance;
  baseUrl: string;
  browser: Browser;
  workspace: { id: string; slug: string };
  /** Users with the known test password. */
  admin: { userId: string; email: string };
  viewer: { userId: string; email: string };
  member: { userId: string; email: string };
  /** The seeded demo's admin, who owns accounts and promises (its password is generated). */
  demoAdmin: { email: string; password: string };
  close(): Promise<void>;
}

/** Starts the server on a seeded demo workspace and launches Chromium. */
export async function startE2E(opts: { accounts?: number; promises?: number } = {}): Promise<E2EApp> {
  const db = await openTestDb();
  // The browser lives in real time: the server's clock is the real one.
  const ctx: AppContext = { database: db.database, now: () => new Date() };
  const demo = await seedDemo(ctx, { accounts: opts.accounts ?? 12, promises: opts.promises ?? 60, seed: 7 });
  const workspace = { id: demo.workspaceId, slug: demo.slug };
  const admin = await buildUserWithPassword(ctx, { workspaceId: workspace.id, role: 'admin' });
  const viewer = await buildUserWithPassword(ctx, { workspaceId: workspace.id, role: 'viewer' });
  const member = await buildUserWithPassword(ctx, { workspaceId: workspace.id, role: 'member' });
  const server = await buildServer(ctx, { webRoot: WEB_ROOT });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    db,
    ctx,
    server,
    baseUrl,
    browser,
    workspace,
    admin: { userId: admin.userId, email: admin.email },
    viewer: { userId: viewer.userId, email: viewer.email },
    member: { userId: member.userId, email: member.email },
    demoAdmin: demo.admin,
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      await db.close();
    },
  };
}

/** A fresh browser context (its own cookies) at the given width. */
export async function newPage(
  app: E2EApp,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  // Reduced motion: the app then opens drawers and modals without transitions, so an accessibility
  // check never sees text half faded in (a contrast failure that is not there once it has settled).
  const context = await app.browser.newContext({ baseURL: app.baseUrl, viewport, reducedMotion: 'reduce' });
  const page = await context.newPage();
  // A page error is a failure, not a silent blank page.
  page.on('pageerror', (e) => {
    console.error(`page error: ${e.stack ?? e.message}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`browser console: ${m.text()}`);
  });
  return { context, page };
}

/** Signs in through the sign-in page and waits for the app. */
export async function signIn(
  app: E2EApp,
  page: Page,
  email: string,
  target = '/my-day',
  password = PASSWORD,
): Promise<void> {
  await page.goto(target);
  await page.getByLabel('Workspace').fill(app.workspace.slug);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
}

/** Saves a screenshot of the page under test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  // A full-page capture of a scrolled page draws the fixed header where the viewport was.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** axe-core on the current page: no serious or critical violations. */
export async function expectAccessible(
  page: Page,
  name: string,
  { whileLoading = false }: { whileLoading?: boolean } = {},
): Promise<void> {
  // The page as its user reads it: every section's data in, no loader left (each section loads on its
  // own), unless the check is of the loading state itself.
  if (!whileLoading) {
    await expect.poll(() => page.locator('[aria-label^="Loading"]').count(), { timeout: 20_000 }).toBe(0);
  }
  // Whatever still animates (a CSS transition not covered by reduced motion) settles first; endless
  // ones (a loader's spin) are left alone.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().endTime !== Number.POSITIVE_INFINITY)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `accessibility violations on ${name}`).toEqual([]);
}

/** The CSRF token of the page's signed-in session (the API wants it on cookie-authenticated writes). */
export async function csrfToken(page: Page): Promise<string> {
  const res = await page.request.get('/api/v1/auth/session');
  expect(res.status(), 'the page has a session').toBe(200);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

/** The API as the signed-in page sees it (its cookie, and the CSRF token for writes); a non-2xx fails. */
export async function pageApi<T>(
  page: Page,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  path: string,
  data?: unknown,
): Promise<T> {
  const res = await page.request.fetch(path, {
    method,
    headers: method === 'GET' ? {} : { 'x-csrf-token': await csrfToken(page) },
    ...(data === undefined ? {} : { data }),
  });
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
  return (await res.json()) as T;
}
