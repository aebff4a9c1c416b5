// The accounts list, the account brief (temperature with its history strip, the stale-temperature
// warning before a renewal), and renewal prep ("You asked, we did") with its PDF.
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface AccountBody {
  id: string;
  name: string;
  ownerId: string;
}

/** The text a pdfkit PDF draws: its Flate streams inflated, the hex strings of TJ operators decoded. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const parts = [raw];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    try {
      parts.push(inflateSync(Buffer.from(m[1] as string, 'latin1')).toString('latin1'));
    } catch {
      // Not compressed.
    }
  }
  const lines: string[] = [];
  for (const s of parts) {
    for (const m of s.matchAll(/\[((?:<[0-9a-f]*>\s*-?[\d.]*\s*)+)\]\s*TJ/g)) {
      const hex = [...(m[1] as string).matchAll(/<([0-9a-f]*)>/g)].map((h) => h[1]).join('');
      lines.push(Buffer.from(hex, 'hex').toString('latin1'));
    }
  }
  return lines.join(' ').replace(/\s+/g, ' ');
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

describe.skipIf(SKIP_BROWSER_REASON !== undefined)('accounts, the brief and renewal prep', () => {
  let app: E2EApp;
  beforeAll(async () => {
    app = await startE2E();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists and filters accounts with their open and overdue promises', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/accounts');
    const table = page.getByRole('table', { name: 'Accounts' });
    await table.waitFor();
    const first = await api<{ data: AccountBody[] }>(page, 'GET', '/api/v1/accounts?sort=name&limit=1');
    const name = first.data[0]?.name as string;
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(1);
    await expect.poll(() => table.locator('tbody tr').first().locator('a').textContent()).toBe(name);
    // Each row's open and overdue counts are the ones the API gives the account.
    const headers = await table.locator('thead th').allTextContents();
    const cells = await table.locator('tbody tr').first().locator('td').allTextContents();
    const counts = (first.data[0] as AccountBody & { promises: { open: number; overdue: number } }).promises;
    expect(cells[headers.findIndex((h) => h.startsWith('Open'))]).toBe(String(counts.open));
    expect(cells[headers.findIndex((h) => h.startsWith('Overdue'))]).toBe(String(counts.overdue));
    await expectAccessible(page, 'accounts');
    await screenshot(page, 'accounts');

    await page.getByRole('textbox', { name: 'Search' }).fill(name);
    await page.waitForURL(/[?&]q=/);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    // Sorting by ARR (descending first) is a server sort kept in the address.
    await page.getByRole('textbox', { name: 'Search' }).fill('');
    await page.getByRole('button', { name: /^ARR/ }).click();
    await page.waitForURL(/sort=-arr/);
    const largest = await api<{ data: AccountBody[] }>(page, 'GET', '/api/v1/accounts?sort=-arr&limit=1');
    await expect
      .poll(() => table.locator('tbody tr').first().locator('a').textContent())
      .toBe(largest.data[0]?.name);
    await context.close();
  });

  it('the brief: temperature with a note appears in the strip; a stale temperature before a renewal warns', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/accounts');
    const list = await api<{ data: AccountBody[] }>(page, 'GET', '/api/v1/accounts?sort=name&limit=3');
    const account = list.data[0] as AccountBody;
    const stale = list.data[1] as AccountBody;

    // A renewal in 40 days, and a temperature last recorded 45 days ago.
    await api(page, 'PATCH', `/api/v1/accounts/${stale.id}`, {
      renewalDate: isoDate(new Date(Date.now() + 40 * 86_400_000)),
    });
    await app.db.database.raw(
      `update accounts set temperature_updated_at = now() - interval '45 days' where workspace_id = $1 and id = $2`,
      [app.workspace.id, stale.id],
    );
    await page.goto(`/accounts/${stale.id}`);
    await page.getByRole('heading', { level: 2, name: stale.name }).waitFor();
    const warning = page.getByRole('alert').filter({ hasText: 'Check the temperature before the renewal' });
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/in 40 days/);
    expect(await warning.textContent()).toMatch(/45 days ago/);

    // The other account: renewal far away or none, so no warning once its temperature is fresh.
    await api(page, 'PATCH', `/api/v1/accounts/${account.id}`, {
      renewalDate: isoDate(new Date(Date.now() + 30 * 86_400_000)),
    });
    await page.goto(`/accounts/${account.id}`);
    await page.getByRole('heading', { level: 2, name: account.name }).waitFor();
    await page.getByRole('heading', { name: 'Open promises' }).first().waitFor();
    // The temperature history loads on its own: count its readings only once it has answered.
    await page
      .locator('[data-testid="temperature-strip"]')
      .or(page.getByText('No temperature recorded yet.'))
      .waitFor();
    const before = await page.locator('[data-testid="temperature-strip"] > div').count();

    // Client-side: a note is required.
    const form = page.getByRole('form', { name: 'Record the temperature' });
    await form.getByRole('button', { name: 'Record temperature' }).click();
    await expect
      .poll(() => form.getByRole('textbox', { name: 'Note' }).getAttribute('aria-invalid'))
      .toBe('true');
    await form.getByRole('combobox', { name: 'Temperature' }).click();
    await page.getByRole('option', { name: 'Strained' }).click();
    await form.getByRole('textbox', { name: 'Note' }).fill('QBR: the CFO asked about the export fix again');
    await form.getByRole('button', { name: 'Record temperature' }).click();
    await form.getByRole('status').filter({ hasText: 'Recorded: Strained.' }).waitFor();
    await expect.poll(() => page.locator('[data-testid="temperature-strip"] > div').count()).toBe(before + 1);
    await expect
      .poll(() =>
        page.locator('[data-testid="temperature-strip"] > div').last().getAttribute('data-temperature'),
      )
      .toBe('strained');
    await page
      .getByRole('list', { name: 'Temperature readings, newest first' })
      .getByText('QBR: the CFO asked about the export fix again')
      .waitFor();
    // Fresh temperature: no warning although the renewal is in 30 days (the account refetches on its
    // own, after the history, so the warning goes once it has answered).
    await page.getByRole('alert').filter({ hasText: 'Check the temperature' }).waitFor({ state: 'detached' });
    await expectAccessible(page, 'account brief');
    await screenshot(page, 'account-brief');
    await context.close();

    // The brief at phone width.
    const phone = await newPage(app, { width: 390, height: 844 });
    await signIn(app, phone.page, app.admin.email, `/accounts/${stale.id}`);
    await phone.page.getByRole('heading', { level: 2, name: stale.name }).waitFor();
    await phone.page.getByRole('alert').filter({ hasText: 'Check the temperature' }).waitFor();
    await expectAccessible(phone.page, 'account brief (390 px)');
    await screenshot(phone.page, 'account-brief-390');
    await phone.context.close();
  });

  it('renewal prep lists a kept promise with its proof, prints, and downloads as a PDF', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/accounts');
    const list = await api<{ data: AccountBody[] }>(page, 'GET', '/api/v1/accounts?sort=name&limit=3');
    const account = list.data[2] as AccountBody;
    const created = await api<{ id: string }>(page, 'POST', '/api/v1/promises', {
      accountId: account.id,
      typeKey: 'product_follow_up',
      promiseMade: 'Record a walkthrough of regional exports for Maya',
      customerReason: 'She presents the rollout to her leadership',
      ownerId: account.ownerId,
      dueAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
    });
    await api(page, 'POST', `/api/v1/promises/${created.id}/keep`, {
      proof: { kind: 'loom_recorded', note: 'Recorded a 4-minute Loom', url: 'https://loom.example/v/42' },
      recoveryStrength: 'confidence_restored',
    });

    await page.goto(`/accounts/${account.id}`);
    await page.getByRole('link', { name: /Renewal prep/ }).click();
    await page.waitForURL(new RegExp(`/accounts/${account.id}/renewal-prep$`));
    await page.getByRole('heading', { level: 2, name: `You asked, we did: ${account.name}` }).waitFor();
    const item = page
      .getByRole('listitem')
      .filter({ hasText: 'Record a walkthrough of regional exports for Maya' });
    await item.waitFor();
    expect(await item.textContent()).toContain('She presents the rollout to her leadership');
    expect(await item.textContent()).toContain('Recorded a 4-minute Loom');
    expect(await item.getByRole('link', { name: 'https://loom.example/v/42' }).count()).toBe(1);
    expect(await item.textContent()).toContain('Kept on time');
    expect(await item.textContent()).toContain('Confidence restored');
    await expectAccessible(page, 'renewal prep');
    await screenshot(page, 'renewal-prep');

    // Printing: the navigation and the controls are hidden.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    expect(await page.getByRole('navigation').first().isVisible()).toBe(false);
    expect(await item.isVisible()).toBe(true);
    await screenshot(page, 'renewal-prep-print');
    await page.emulateMedia({ media: 'screen' });

    // The PDF the "Download PDF" button links to.
    const href = await page.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
    expect(href).toMatch(/format=pdf/);
    const res = await page.request.get(href as string);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/^application\/pdf/);
    const pdf = await res.body();
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain('Record a walkthrough of regional exports for Maya');
    expect(text).toContain('Recorded a 4-minute Loom');
    await context.close();
  });

  it('a viewer reads the brief and renewal prep but is not offered the temperature form', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.viewer.email, '/accounts');
    const list = await api<{ data: AccountBody[] }>(page, 'GET', '/api/v1/accounts?sort=name&limit=1');
    const account = list.data[0] as AccountBody;
    await page.goto(`/accounts/${account.id}`);
    await page.getByRole('heading', { level: 2, name: account.name }).waitFor();
    await page.getByRole('heading', { name: 'Temperature history' }).waitFor();
    expect(await page.getByRole('form', { name: 'Record the temperature' }).count()).toBe(0);
    await page.getByRole('link', { name: /Renewal prep/ }).click();
    await page.getByRole('heading', { level: 2, name: `You asked, we did: ${account.name}` }).waitFor();
    await context.close();
  });
});
