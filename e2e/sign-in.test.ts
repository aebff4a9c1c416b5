// Sign-in, a wrong password, sign-out, and an expired session that returns to the page the user was on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUserWithPassword, PASSWORD } from '../test/support/http.js';
import {
  type E2EApp,
  expectAccessible,
  newPage,
  SKIP_BROWSER_REASON,
  screenshot,
  signIn,
  startE2E,
} from './support/app.js';

describe.skipIf(SKIP_BROWSER_REASON !== undefined)('sign-in', () => {
  let app: E2EApp;
  beforeAll(async () => {
    app = await startE2E();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a wrong password is refused with a clear message; the right one opens My day', async () => {
    const { context, page } = await newPage(app);
    await page.goto('/');
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await page.getByLabel('Workspace').fill(app.workspace.slug);
    await page.getByLabel('Email').fill(app.admin.email);
    await page.getByRole('textbox', { name: 'Password' }).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/email or password/i);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/my-day$/);
    await expect.poll(() => page.getByRole('heading', { level: 2 }).first().textContent()).toBe('My day');
    await context.close();
  });

  it('an expired session goes to sign-in and then back to the page the user was on', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.member.email, '/promises');
    expect(new URL(page.url()).pathname).toBe('/promises');
    await context.clearCookies();
    await page.reload();
    await page.waitForURL(/\/sign-in\?next=%2Fpromises/);
    await page.getByLabel('Email').fill(app.member.email);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/promises$/);
    await context.close();
  });

  it('signing out ends the session', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.viewer.email);
    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    const res = await page.request.get('/api/v1/auth/session');
    expect(res.status()).toBe(401);
    await context.close();
  });

  it("lists my sessions and revokes another browser's: that browser is refused at once", async () => {
    // A user of their own, signed in on exactly two browsers.
    const user = await buildUserWithPassword(app.ctx, { workspaceId: app.workspace.id, role: 'member' });
    const laptop = await newPage(app);
    const phone = await newPage(app, { width: 390, height: 844 });
    await signIn(app, phone.page, user.email);
    await signIn(app, laptop.page, user.email, '/settings?tab=sessions');
    const rows = laptop.page.getByRole('table', { name: 'Active sessions' }).getByRole('row');
    await expect.poll(() => rows.count()).toBe(3); // the header and two sessions
    await expectAccessible(laptop.page, 'settings sessions');
    await screenshot(laptop.page, 'settings-sessions');
    const other = rows.filter({ hasNotText: 'This browser' }).nth(1);
    await other.getByRole('button', { name: /^Revoke the session/ }).click();
    await laptop.page.getByRole('dialog').getByRole('button', { name: 'Revoke session' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect((await phone.page.request.get('/api/v1/auth/session')).status()).toBe(401);
    expect((await laptop.page.request.get('/api/v1/auth/session')).status()).toBe(200);
    await phone.context.close();
    await laptop.context.close();
  });
});
