// The promise list (table, filters in the URL, saved views, board, bulk reassign) and the promise
// page (timeline, verified history, renegotiation), for an admin; what a viewer does not get.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RISK_SCAN_MAX } from '../src/promises/read-promises.js';
import {
  pageApi as api,
  type E2EApp,
  expectAccessible,
  newPage,
  SKIP_BROWSER_REASON,
  screenshot,
  signIn,
  startE2E,
} from './support/app.js';

/** The app loads data after navigation; under load that takes more than poll's default second. */
const WAIT = { timeout: 15_000 };

interface PromiseBody {
  id: string;
  ownerId: string;
  status: string;
  overdue: boolean;
}

/** The promise ids of the table's rows, in order. */
async function rowIds(page: Page): Promise<string[]> {
  const hrefs = await page
    .locator('tbody tr a[href^="/promises/"]')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  return hrefs.map((h) => h.replace('/promises/', ''));
}

/** Opens a Mantine Select/MultiSelect by its label and picks an option. */
async function pick(page: Page, label: string, option: string | RegExp) {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option }).first().click();
}

describe.skipIf(SKIP_BROWSER_REASON !== undefined)('promises', () => {
  let app: E2EApp;
  beforeAll(async () => {
    app = await startE2E();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists promises, filters through the URL, and saves a view that survives a reload', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/promises');
    await expect.poll(() => page.locator('tbody tr').count(), WAIT).toBeGreaterThan(5);
    await expect.poll(() => page.getByText(/^\d+ of \d+ promises shown$/).count(), WAIT).toBe(1);
    await expectAccessible(page, 'promises table');
    await screenshot(page, 'promises-table');

    // Status open + overdue only: the URL carries both, and the list matches the API's count.
    await pick(page, 'Status', 'Open');
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => u.searchParams.get('status') === 'open');
    await pick(page, 'Overdue', 'Overdue only');
    await page.waitForURL((u) => u.searchParams.get('overdue') === 'true');
    const expected = await api<{ total: number }>(
      page,
      'GET',
      '/api/v1/promises?status=open&overdue=true&count=true',
    );
    expect(expected.total).toBeGreaterThan(0);
    await expect
      .poll(() => page.getByText(new RegExp(`of ${expected.total} promises? shown$`)).count(), WAIT)
      .toBe(1);
    const statuses = await page.locator('tbody tr').allTextContents();
    for (const row of statuses) expect(row).toContain('Overdue');

    // Sorting by a column header re-reads in that order and records it in the URL.
    await page.getByRole('button', { name: /^Created/ }).click();
    await page.waitForURL((u) => u.searchParams.get('sort') === '-createdAt');

    // Save the filters as a view; reload; the view and its filters are still applied.
    await page.getByRole('button', { name: 'Save as view…' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Overdue and open');
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.waitForURL((u) => u.searchParams.has('view'));
    const viewId = new URL(page.url()).searchParams.get('view');
    await page.reload();
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Saved view', exact: true }).inputValue(), WAIT)
      .toBe('Overdue and open');
    await expect.poll(() => new URL(page.url()).searchParams.get('status'), WAIT).toBe('open');
    expect(new URL(page.url()).searchParams.get('view')).toBe(viewId);

    // Clear the filters: the view is marked changed, and picking it again brings its filters back.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => !u.searchParams.has('status'));
    await expect.poll(() => page.getByText('Filters changed').count(), WAIT).toBe(1);
    await page.getByRole('combobox', { name: 'Saved view', exact: true }).click();
    await page.getByRole('option', { name: 'Overdue and open' }).click();
    await expect
      .poll(() => {
        const u = new URL(page.url()).searchParams;
        return [u.get('status'), u.get('overdue'), u.get('sort'), u.get('view')];
      }, WAIT)
      .toEqual(['open', 'true', '-createdAt', viewId]);
    // From an unfiltered list, picking the view applies it.
    await page.goto('/promises');
    await expect.poll(() => page.locator('tbody tr').count(), WAIT).toBeGreaterThan(5);
    await page.getByRole('combobox', { name: 'Saved view', exact: true }).click();
    await page.getByRole('option', { name: 'Overdue and open' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('overdue'), WAIT).toBe('true');
    const views = await api<{ data: { id: string; name: string; query: Record<string, string> }[] }>(
      page,
      'GET',
      '/api/v1/views',
    );
    expect(views.data.find((v) => v.id === viewId)?.query).toMatchObject({ status: 'open', overdue: 'true' });
    await context.close();
  });

  it('filters by the computed risk level', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/promises');
    await expect.poll(() => page.locator('tbody tr').count(), WAIT).toBeGreaterThan(5);
    await pick(page, 'Risk level', 'High');
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => u.searchParams.get('riskLevel') === 'high');
    const expected = await api<{ total: number }>(page, 'GET', '/api/v1/promises?riskLevel=high&count=true');
    expect(expected.total).toBeGreaterThan(0);
    await expect
      .poll(() => page.getByText(new RegExp(`of ${expected.total} promises? shown$`)).count(), WAIT)
      .toBe(1);
    const rows = await page.locator('tbody tr').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/High risk/i);
    await context.close();
  });

  it('lists without the total when the server refuses to count a risk level', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/my-day');
    // The refusal a workspace with more than 100,000 matching promises gets (src/promises/read-promises.ts).
    const detail =
      'count: with riskLevel, promises are assessed one by one, up to 100,000; this filter matches more';
    await page.route(
      (u) =>
        u.pathname === '/api/v1/promises' &&
        u.searchParams.get('count') === 'true' &&
        u.searchParams.has('riskLevel'),
      (route) =>
        route.fulfill({
          status: 400,
          contentType: 'application/problem+json',
          body: JSON.stringify({
            status: 400,
            code: 'validation_failed',
            detail,
            field: 'count',
            problems: [{ field: 'count', message: detail }],
          }),
        }),
    );
    await page.goto('/promises?riskLevel=high');
    await expect.poll(() => page.getByText(/^\d+ shown$/).count(), WAIT).toBe(1);
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByText(/leave count out/).count()).toBe(0);
    await context.close();
  });

  it('shows a board grouped by owner', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/promises');
    await page.getByText('Board', { exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get('mode') === 'board');
    await expect.poll(() => page.getByRole('heading', { level: 3, name: 'Open' }).count(), WAIT).toBe(1);
    await pick(page, 'Group by', 'Owner');
    await page.waitForURL((u) => u.searchParams.get('group') === 'owner');
    const users = await api<{ data: { id: string; name: string }[] }>(page, 'GET', '/api/v1/users');
    const promises = await api<{ data: PromiseBody[] }>(page, 'GET', '/api/v1/promises?limit=50');
    const owner = users.data.find((u) => u.id === promises.data[0]?.ownerId);
    expect(owner).toBeDefined();
    await expect.poll(() => page.getByRole('heading', { level: 3, name: owner?.name }).count(), WAIT).toBe(1);
    await expectAccessible(page, 'promises board');
    await screenshot(page, 'promises-board');
    await context.close();
  });

  it('bulk-reassigns two promises to a member, each recorded', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/promises?status=open');
    await expect.poll(() => page.locator('tbody tr').count(), WAIT).toBeGreaterThan(2);
    const ids = (await rowIds(page)).slice(0, 2);
    const checks = page.getByRole('checkbox', { name: /^Select “/ });
    await checks.nth(0).check();
    await checks.nth(1).check();
    await page.getByRole('button', { name: 'Reassign 2 selected…' }).click();
    const users = await api<{ data: { id: string; name: string }[] }>(page, 'GET', '/api/v1/users');
    const member = users.data.find((u) => u.id === app.member.userId);
    if (!member) throw new Error('the member is not listed');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox', { name: 'New owner' }).fill(member.name);
    await page.getByRole('option', { name: member.name }).click();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Maya covers these accounts from Monday');
    await dialog.getByRole('button', { name: 'Reassign', exact: true }).click();
    await expect.poll(() => dialog.getByText('2 reassigned.').count(), WAIT).toBe(1);
    await expect.poll(() => dialog.getByText('2 of 2 done').count(), WAIT).toBe(1);
    await screenshot(page, 'promises-bulk-reassign');
    await dialog.getByRole('button', { name: 'Done' }).click();
    for (const id of ids) {
      const p = await api<PromiseBody & { history: { type: string; payload: { reason: string } }[] }>(
        page,
        'GET',
        `/api/v1/promises/${id}`,
      );
      expect(p.ownerId).toBe(app.member.userId);
      expect(p.history.at(-1)).toMatchObject({
        type: 'owner_changed',
        payload: { reason: 'Maya covers these accounts from Monday' },
      });
    }
    await context.close();
  });

  it('a member sees the promises they may not change refused in the summary', async () => {
    const { context, page } = await newPage(app);
    // The demo data's promises belong to the demo users: a member may not reassign them.
    await signIn(app, page, app.member.email, '/promises');
    const users = await api<{ data: { id: string; name: string }[] }>(page, 'GET', '/api/v1/users');
    const other = await api<{ data: PromiseBody[] }>(page, 'GET', '/api/v1/promises?status=open&limit=5');
    const ownerId = other.data.find((p) => p.ownerId !== app.member.userId)?.ownerId;
    if (!ownerId) throw new Error('no promise of another owner');
    await page.goto(`/promises?status=open&owner=${ownerId}`);
    await expect.poll(() => page.locator('tbody tr').count(), WAIT).toBeGreaterThan(0);
    await page
      .getByRole('checkbox', { name: /^Select “/ })
      .first()
      .check();
    await page.getByRole('button', { name: 'Reassign 1 selected…' }).click();
    const dialog = page.getByRole('dialog');
    const me = users.data.find((u) => u.id === app.member.userId);
    await dialog.getByRole('combobox', { name: 'New owner' }).fill(me?.name ?? '');
    await page.getByRole('option', { name: me?.name ?? '' }).click();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('I will take it');
    await dialog.getByRole('button', { name: 'Reassign', exact: true }).click();
    await expect.poll(() => dialog.getByText('0 reassigned, 1 refused:').count(), WAIT).toBe(1);
    await expect.poll(() => dialog.getByText(/You may not change this promise/).count(), WAIT).toBe(1);
    await context.close();
  });

  it('shows a promise with its timeline and verified history, and records a renegotiation', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/promises?status=open');
    await expect.poll(() => page.locator('tbody tr').count(), WAIT).toBeGreaterThan(0);
    const [id] = await rowIds(page);
    await page.locator('tbody tr a[href^="/promises/"]').first().click();
    await page.waitForURL(`**/promises/${id}`);
    await expect.poll(() => page.getByRole('heading', { level: 3, name: 'Timeline' }).count(), WAIT).toBe(1);
    await expect.poll(() => page.getByRole('img', { name: /^Timeline\. Created/ }).count(), WAIT).toBe(1);
    expect(await page.getByRole('list', { name: 'Timeline points' }).textContent()).toMatch(/Created.*Due/s);
    await expect.poll(() => page.getByText('✓ Verified').count(), WAIT).toBe(1);
    expect(await page.getByText('Promise captured').count()).toBe(1);
    await expectAccessible(page, 'promise page');
    await screenshot(page, 'promise-page');

    await page.getByRole('button', { name: 'Renegotiate' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'New due date' }).fill('in 20 days');
    await dialog.getByRole('textbox', { name: 'Agreed by' }).fill('Maya Chen, VP Operations');
    await dialog.getByRole('textbox', { name: 'Reason (optional)' }).fill('The vendor fix ships next sprint');
    await dialog.getByRole('button', { name: 'Save new due date' }).click();
    // The history entry, not the notification that says the same thing (it sits outside the page's main).
    await expect.poll(() => page.getByRole('main').getByText('Due date renegotiated').count(), WAIT).toBe(1);
    await expect.poll(() => page.getByText('Maya Chen, VP Operations').count(), WAIT).toBe(1);
    expect(await page.getByText('The vendor fix ships next sprint').count()).toBe(1);
    expect(await page.getByText('✓ Verified').count()).toBe(1);
    const p = await api<{ renegotiationCount: number; verified: boolean }>(
      page,
      'GET',
      `/api/v1/promises/${id}`,
    );
    expect(p).toMatchObject({ renegotiationCount: 1, verified: true });
    await context.close();

    // The same page on a phone.
    const phone = await newPage(app, { width: 390, height: 844 });
    await signIn(app, phone.page, app.admin.email, `/promises/${id}`);
    await expect.poll(() => phone.page.getByText('Due date renegotiated').count(), WAIT).toBe(1);
    await expectAccessible(phone.page, 'promise page at 390 px');
    await screenshot(phone.page, 'promise-page-390');
    await phone.context.close();
  });

  it('the table works at phone width', async () => {
    const { context, page } = await newPage(app, { width: 390, height: 844 });
    await signIn(app, page, app.admin.email, '/promises');
    await expect.poll(() => page.locator('tbody tr').count(), WAIT).toBeGreaterThan(0);
    await page.getByRole('button', { name: /^Filters/ }).click();
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Owner', exact: true }).isVisible(), WAIT)
      .toBe(true);
    await expectAccessible(page, 'promises table at 390 px');
    await screenshot(page, 'promises-table-390');
    await context.close();
  });

  it('a viewer sees no bulk reassign, no view saving and no promise actions', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.viewer.email, '/promises');
    await expect.poll(() => page.locator('tbody tr').count(), WAIT).toBeGreaterThan(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Reassign/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save as view…' }).count()).toBe(0);
    await page.locator('tbody tr a[href^="/promises/"]').first().click();
    await expect.poll(() => page.getByRole('heading', { level: 3, name: 'History' }).count(), WAIT).toBe(1);
    for (const name of ['Keep', 'Renegotiate', 'Pause', 'Post update']) {
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    await context.close();
  });

  it('a risk-level filter keeps reading past pages the server hands back short', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/promises');
    const high = await api<{ total: number }>(
      page,
      'GET',
      '/api/v1/promises?riskLevel=high&count=true&limit=1',
    );
    const low = await api<{ data: { id: string }[] }>(
      page,
      'GET',
      '/api/v1/promises?riskLevel=low&status=open&paused=false&limit=1',
    );
    const source = low.data[0]!.id;
    // More low-risk promises than one request reads (RISK_SCAN_MAX), ahead of every other in the default
    // order: the first answers to riskLevel=high are empty pages with a cursor. The whole timeline
    // moves back 1,000 days, so each clone keeps its source's risk. Removed at the end.
    const raw = app.db.database.raw.bind(app.db.database);
    const shifted = new Set(['created_at', 'due_at', 'effective_due_at']);
    const cols = (
      await raw<{ column_name: string }>(
        `select column_name from information_schema.columns
          where table_schema = current_schema() and table_name = 'promises' and column_name <> 'id'`,
      )
    ).map((c) => c.column_name);
    const values = cols.map((c) => (shifted.has(c) ? `${c} - interval '1000 days'` : c));
    await raw(
      `insert into promises (id, ${cols.join(', ')})
       select gen_random_uuid(), ${values.join(', ')} from promises, generate_series(1, $3)
        where workspace_id = $1 and id = $2`,
      [app.workspace.id, source, RISK_SCAN_MAX + 600],
    );
    const clones = `workspace_id = $1 and id <> $2 and head_hash = (select head_hash from promises where workspace_id = $1 and id = $2)`;
    const reads: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/v1/promises' && u.searchParams.get('riskLevel') === 'high')
        reads.push(r.url());
    });
    try {
      await page.goto('/promises?riskLevel=high');
      const shown = Math.min(high.total, 50);
      await expect
        .poll(() => page.getByText(new RegExp(`^${shown} of ${high.total} promises? shown$`)).count(), WAIT)
        .toBe(1);
      for (const row of await page.locator('tbody tr').allTextContents()) expect(row).toMatch(/High risk/i);
      // The first answer was an empty page with a cursor; the page read on without a click.
      expect(reads.length).toBeGreaterThanOrEqual(2);
    } finally {
      await raw(`delete from promises where ${clones}`, [app.workspace.id, source]);
      await context.close();
    }
  });
});
