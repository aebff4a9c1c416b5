// Measures dashboards (the fulfilment chart's table matches the API, the CSV downloads), the impact
// report and reviews; settings: invite someone who accepts and signs in, an API token created and
// revoked, a role changed; and a viewer who sees no admin tab and whose PATCH is refused.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csrfToken as csrf,
  type E2EApp,
  expectAccessible,
  newPage,
  pageApi,
  SKIP_BROWSER_REASON,
  screenshot,
  signIn,
  startE2E,
} from './support/app.js';

interface FulfilmentRow {
  period: string;
  keptOnTime: number;
  keptLate: number;
  broken: number;
  openPastDue: number;
  percent: number | null;
}

const shown = (n: number | null) =>
  n === null ? 'No data' : n.toLocaleString('en-US', { maximumFractionDigits: 2 });

describe.skipIf(SKIP_BROWSER_REASON !== undefined)('measures and settings', () => {
  let app: E2EApp;
  beforeAll(async () => {
    app = await startE2E();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('measures: the fulfilment table matches the API and the CSV downloads', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/measures');
    const card = page.getByRole('region', { name: 'Fulfilment' });
    await card.locator('.recharts-surface').first().waitFor();
    // Every card has loaded (no loader left) before the page is checked and photographed.
    await expect.poll(() => page.locator('[aria-label^="Loading"]').count(), { timeout: 20_000 }).toBe(0);
    await expectAccessible(page, 'measures');
    await screenshot(page, 'measures');

    const api = (await (await page.request.get('/api/v1/measures/fulfilment')).json()) as {
      rows: FulfilmentRow[];
    };
    expect(api.rows.length).toBeGreaterThan(0);
    await card.getByRole('button', { name: 'Show table' }).click();
    const table = card.getByRole('table');
    await table.waitFor();
    const headers = await table.locator('thead th').allTextContents();
    const col = (name: string) => headers.indexOf(name);
    expect(col('Kept on time')).toBeGreaterThanOrEqual(0);
    const rows = await table.locator('tbody tr').all();
    expect(rows.length).toBe(api.rows.length);
    for (const [i, row] of rows.entries()) {
      const cells = await row.locator('td').allTextContents();
      const want = api.rows[i] as FulfilmentRow;
      expect(cells[col('Period')]).toBe(want.period);
      expect(cells[col('Kept on time')]).toBe(shown(want.keptOnTime));
      expect(cells[col('Kept late')]).toBe(shown(want.keptLate));
      expect(cells[col('Broken')]).toBe(shown(want.broken));
      expect(cells[col('Open past due')]).toBe(shown(want.openPastDue));
      expect(cells[col('Rate (%)')]).toBe(shown(want.percent));
    }
    expect((await table.textContent()) ?? '').not.toContain('NaN');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('link', { name: 'Download Fulfilment as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('fulfilment.csv');
    const csv = fs.readFileSync((await download.path()) as string, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^period,periodStart,keptOnTime,keptLate,broken,openPastDue/);
    expect(csv.trim().split('\n').length).toBe(api.rows.length + 1);

    await page.getByRole('tab', { name: 'Impact report' }).click();
    await page.getByRole('region', { name: 'Impact report' }).getByRole('table').waitFor();
    await expectAccessible(page, 'measures impact report');
    await screenshot(page, 'measures-impact');

    await page.getByRole('tab', { name: 'Reviews' }).click();
    const reviews = page.getByRole('region', { name: 'Reviews' });
    await reviews.getByRole('table').first().waitFor();
    await expectAccessible(page, 'measures reviews');
    await screenshot(page, 'measures-reviews');
    // An earlier week, picked by a day in it: the page shows the API's week for that day, and its CSV
    // links ask for the same week.
    const day = new Date(Date.now() - 35 * 86_400_000).toISOString().slice(0, 10);
    const week = await pageApi<{ period: string; from: string; to: string }>(
      page,
      'GET',
      `/api/v1/reports/reviews/weekly?date=${day}`,
    );
    const lastWeek = await pageApi<{ period: string }>(page, 'GET', '/api/v1/reports/reviews/weekly');
    expect(week.period).not.toBe(lastWeek.period);
    await reviews.getByRole('textbox', { name: 'Week of' }).fill(day);
    await reviews.getByText(`Period ${week.period}: ${week.from} to ${week.to}`).waitFor();
    const csvLink = reviews.getByRole('link', { name: /^Download .* as CSV$/ }).first();
    expect(await csvLink.getAttribute('href')).toContain(`date=${day}`);
    await context.close();
  });

  it('measures at 390 px', async () => {
    const { context, page } = await newPage(app, { width: 390, height: 844 });
    await signIn(app, page, app.admin.email, '/measures');
    await page.getByRole('region', { name: 'Fulfilment' }).locator('.recharts-surface').first().waitFor();
    await expect.poll(() => page.locator('[aria-label^="Loading"]').count(), { timeout: 20_000 }).toBe(0);
    await expectAccessible(page, 'measures 390');
    await screenshot(page, 'measures-390');
    await context.close();
  });

  it('settings: invite someone who accepts and signs in; a token created and revoked; a role changed', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/settings');
    await page.getByRole('tab', { name: 'Users and roles' }).waitFor();
    await page.getByRole('table').first().waitFor();
    await expectAccessible(page, 'settings users');
    await screenshot(page, 'settings-users');

    // Invite, and accept in a browser of its own.
    const email = `invited-${Date.now()}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Invite' }).click();
    const linkBox = page.locator('[data-secret="Invitation link"]');
    await linkBox.waitFor();
    const link = ((await linkBox.textContent()) ?? '').trim();
    expect(link).toMatch(/\/accept-invitation\?token=/);
    await screenshot(page, 'settings-invitation');

    const invited = await newPage(app);
    await invited.page.goto(link);
    await invited.page.getByLabel('Your name').waitFor();
    await expectAccessible(invited.page, 'accept invitation');
    await screenshot(invited.page, 'accept-invitation');
    await invited.page.getByLabel('Your name').fill('Ines Invited');
    await invited.page.getByRole('textbox', { name: 'Password', exact: true }).fill('short');
    await invited.page.getByRole('button', { name: 'Accept and sign in' }).click();
    await expect.poll(() => invited.page.getByText('Must be at least 12 characters').count()).toBe(1);
    await invited.page.getByRole('textbox', { name: 'Password', exact: true }).fill('a long enough password');
    await invited.page.getByRole('textbox', { name: 'Repeat the password' }).fill('a long enough password');
    await invited.page.getByRole('button', { name: 'Accept and sign in' }).click();
    await invited.page.waitForURL(/\/my-day$/);
    await invited.page.getByRole('button', { name: 'Account menu for Ines Invited' }).waitFor();
    const me = await (await invited.page.request.get('/api/v1/auth/session')).json();
    expect(me.user).toMatchObject({ email, name: 'Ines Invited', role: 'member' });
    await invited.context.close();

    // Change the member's role to manager.
    const member = await (await page.request.get(`/api/v1/users/${app.member.userId}`)).json();
    await page.getByRole('combobox', { name: `Role of ${member.name}` }).click();
    await page.getByRole('option', { name: 'Manager' }).click();
    await expect
      .poll(async () => (await (await page.request.get(`/api/v1/users/${app.member.userId}`)).json()).role)
      .toBe('manager');

    // An API token: created (shown once), listed, revoked.
    await page.getByRole('tab', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('BI export');
    await page.getByRole('button', { name: 'Create token' }).click();
    const tokenBox = page.locator('[data-secret="API token"]');
    await tokenBox.waitFor();
    const token = ((await tokenBox.textContent()) ?? '').trim();
    expect(token.length).toBeGreaterThan(20);
    const tokenRow = page.getByRole('row', { name: /BI export/ });
    await tokenRow.getByText('Active').waitFor();
    await expectAccessible(page, 'settings tokens');
    await screenshot(page, 'settings-tokens');
    // The token works until it is revoked.
    // Outside the browser, so no session cookie goes with it.
    const withToken = () =>
      fetch(`${app.baseUrl}/api/v1/auth/session`, { headers: { authorization: `Bearer ${token}` } });
    expect((await withToken()).status).toBe(200);
    await tokenRow.getByRole('button', { name: 'Revoke token BI export' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await tokenRow.getByText('Revoked').waitFor();
    const tokens = (await (await page.request.get('/api/v1/auth/tokens')).json()).data as {
      name: string;
      revokedAt: string | null;
    }[];
    expect(tokens.find((t) => t.name === 'BI export')?.revokedAt).not.toBeNull();
    expect((await withToken()).status).toBe(401);

    // The other admin tabs render without violations.
    for (const [tab, shot] of [
      ['Webhooks', 'settings-webhooks'],
      ['Promise types', 'settings-types'],
      ['Sessions', 'settings-sessions'],
      ['Business calendars', 'settings-sla'],
      ['Integrations', 'settings-integrations'],
      ['Health weights', 'settings-health'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      // The tab's own panel (the URL change renders in a transition, so the previous panel can still be
      // on screen), its heading (it renders before its data), then no loader left in it.
      const panel = page.getByRole('tabpanel', { name: tab });
      await panel.waitFor();
      await panel.getByRole('heading', { level: 3 }).first().waitFor();
      await expect.poll(() => page.locator('[aria-label^="Loading"]').count(), { timeout: 20_000 }).toBe(0);
      await expectAccessible(page, `settings ${tab}`);
      await screenshot(page, shot);
    }

    // A panel still loading is accessible too: its loader is a named status.
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    await page.route('**/api/v1/measures/health/weights', async (route) => {
      await held;
      await route.continue();
    });
    await page.reload();
    await page.locator('[aria-label="Loading weights"]').waitFor();
    await expectAccessible(page, 'settings Health weights while loading', { whileLoading: true });
    release();
    await page.getByLabel('Core usage').waitFor();

    // A cleared weight is asked for, not saved as 0: no PUT leaves the page.
    let puts = 0;
    page.on('request', (r) => {
      if (r.method() === 'PUT' && new URL(r.url()).pathname === '/api/v1/measures/health/weights') puts++;
    });
    await page.getByLabel('Core usage').fill('');
    await page.getByRole('button', { name: 'Save weights' }).click();
    await expect.poll(() => page.getByText('Enter a number (0 leaves it out)').count()).toBe(1);
    expect(puts).toBe(0);
    await context.close();
  });

  it('a webhook’s delivery log shows the newest 50 and older deliveries on demand', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/settings?tab=webhooks');
    await pageApi(page, 'PATCH', '/api/v1/workspace', { allowPrivateWebhookTargets: true });
    const hook = await pageApi<{ id: string }>(page, 'POST', '/api/v1/webhooks', {
      url: 'http://127.0.0.1:9/log-paging',
      eventTypes: ['review.monthly'],
      description: 'Log paging',
    });
    // 55 deliveries already dealt with (dropped: the worker leaves them alone), a second apart.
    await app.db.database.raw(
      `insert into deliveries (workspace_id, id, key, channel, target_id, event_type, content, data, status,
                               attempts, not_before, next_attempt_at, created_at)
       select $1, gen_random_uuid(), 'log-paging:' || n, 'webhook', $2, 'review.monthly',
              '{"title":"","text":"","html":""}', jsonb_build_object('n', n), 'dropped', 0,
              now(), now(), date_trunc('milliseconds', now()) - n * interval '1 second'
         from generate_series(1, 55) n`,
      [app.workspace.id, hook.id],
    );
    await page.reload();
    await page.getByRole('button', { name: 'Deliveries of http://127.0.0.1:9/log-paging' }).click();
    const log = page.getByRole('table', {
      name: 'Deliveries to http://127.0.0.1:9/log-paging, newest first',
    });
    const rows = log.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Show older deliveries' }).click();
    await expect.poll(() => rows.count()).toBe(55);
    expect(await page.getByRole('button', { name: 'Show older deliveries' }).count()).toBe(0);
    await expectAccessible(page, 'settings webhook delivery log');
    await screenshot(page, 'settings-webhook-log');
    await context.close();
  });

  it('a viewer sees no admin tab, and the API refuses their PATCH of a user', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.viewer.email, '/settings');
    await page.getByRole('tab', { name: 'API tokens' }).waitFor();
    const tabs = await page.getByRole('tab').allTextContents();
    expect(tabs).toEqual(['API tokens', 'Sessions']);
    await expectAccessible(page, 'settings viewer');
    await screenshot(page, 'settings-viewer');
    const res = await page.request.patch(`/api/v1/users/${app.member.userId}`, {
      headers: { 'x-csrf-token': await csrf(page), 'content-type': 'application/json' },
      data: { role: 'admin' },
    });
    expect(res.status()).toBe(403);
    await context.close();
  });
});
