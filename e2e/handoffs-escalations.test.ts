// Sales-to-onboarding handoffs (at least one item; completing one creates a promise per item) and
// closing an executive escalation, which needs the follow-up promise to the customer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pageApi as api,
  csrfToken as csrf,
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

describe.skipIf(SKIP_BROWSER_REASON !== undefined)('handoffs and escalations', () => {
  let app: E2EApp;
  beforeAll(async () => {
    app = await startE2E();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a handoff needs an item; completing one with two items creates two promises', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/handoffs');
    await page.getByRole('heading', { level: 2, name: 'Handoffs' }).waitFor();
    const accounts = await api<{ data: AccountBody[] }>(page, 'GET', '/api/v1/accounts?sort=name&limit=1');
    const account = accounts.data[0] as AccountBody;
    const member = await api<{ name: string }>(page, 'GET', `/api/v1/users/${app.member.userId}`);
    await expectAccessible(page, 'handoffs');

    await page.getByRole('button', { name: 'Start a handoff' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start a sales-to-onboarding handoff' });
    await dialog.waitFor();
    await expectAccessible(page, 'handoff form');
    // Nothing filled in: stopped here, with a message for each gap.
    await dialog.getByRole('button', { name: 'Save handoff' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: 'Add at least one “Customer believes we will…” item' })
      .waitFor();
    await expect
      .poll(() => dialog.getByRole('combobox', { name: 'To (onboarding)' }).getAttribute('aria-invalid'))
      .toBe('true');

    await dialog.getByRole('combobox', { name: 'Account' }).fill(account.name);
    await page.getByRole('option', { name: account.name, exact: true }).click();
    await dialog.getByRole('combobox', { name: 'To (onboarding)' }).click();
    await page.getByRole('option', { name: member.name, exact: true }).click();
    const item1 = dialog.getByRole('group', { name: 'Item 1: Customer believes we will…' });
    await item1
      .getByRole('textbox', { name: 'Customer believes we will…' })
      .fill('Import their 2025 tickets');
    await item1.getByRole('textbox', { name: 'Why the customer cares' }).fill('Year-over-year reporting');
    // The second item is half filled: its missing reason is named by the field.
    await dialog.getByRole('button', { name: 'Add item' }).click();
    const item2 = dialog.getByRole('group', { name: 'Item 2: Customer believes we will…' });
    await item2.getByRole('textbox', { name: 'Customer believes we will…' }).fill('Set up SSO with Okta');
    await item1.getByRole('textbox', { name: 'Due' }).fill('in 14 days');
    await item2.getByRole('textbox', { name: 'Due' }).fill('in 21 days');
    await dialog.getByRole('button', { name: 'Save handoff' }).click();
    await expect
      .poll(() => item2.getByRole('textbox', { name: 'Why the customer cares' }).getAttribute('aria-invalid'))
      .toBe('true');
    await item2
      .getByRole('textbox', { name: 'Why the customer cares' })
      .fill('Security review before go-live');
    await screenshot(page, 'handoff-form');
    await dialog.getByRole('button', { name: 'Save handoff' }).click();
    await dialog.waitFor({ state: 'detached' });

    const card = page.getByRole('article').filter({ hasText: 'Import their 2025 tickets' });
    await card.waitFor();
    expect(await card.textContent()).toContain('Set up SSO with Okta');
    await card.getByRole('button', { name: 'Complete handoff' }).click();
    const done = card.getByRole('status').filter({ hasText: 'Handoff completed: 2 promises created' });
    await done.waitFor();
    const links = done.getByRole('link');
    expect(await links.count()).toBe(2);
    expect(await links.allTextContents()).toEqual(['Import their 2025 tickets', 'Set up SSO with Okta']);
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of hrefs) {
      const p = await api<{ ownerId: string; source: string }>(page, 'GET', `/api/v1${href}`);
      expect(p).toMatchObject({ ownerId: app.member.userId, source: 'sales_handoff' });
    }
    await screenshot(page, 'handoffs');
    await links.first().click();
    await page.waitForURL(/\/promises\//);
    await context.close();
  });

  it('an escalation cannot close without a follow-up promise; with one it closes', async () => {
    const { context, page } = await newPage(app, { width: 390, height: 844 });
    await signIn(app, page, app.admin.email, '/escalations');
    const accounts = await api<{ data: AccountBody[] }>(page, 'GET', '/api/v1/accounts?sort=name&limit=2');
    const account = accounts.data[1] as AccountBody;
    const escalation = await api<{ id: string }>(page, 'POST', '/api/v1/signals', {
      kind: 'escalation',
      accountId: account.id,
      summary: 'CFO emailed our CEO about the failed export',
      politicalRisk: 'The CFO championed us over a competitor',
      desiredReassurance: 'A named executive owns the fix',
    });

    // The API refuses a close without the follow-up promise.
    const refused = await page.request.post(`/api/v1/signals/${escalation.id}/close`, {
      headers: { 'x-csrf-token': await csrf(page) },
      data: { resolution: 'Talked it through' },
    });
    expect(refused.status()).toBe(400);
    expect(((await refused.json()) as { problems: { field: string }[] }).problems[0]?.field).toMatch(
      /^followUpPromise/,
    );

    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Escalations' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'CFO emailed our CEO about the failed export' });
    await row.waitFor();
    await expectAccessible(page, 'escalations (390 px)');
    await screenshot(page, 'escalations-390');
    await row.getByRole('button', { name: /Open escalation/ }).click();
    const drawer = page.getByRole('dialog', { name: 'Escalation' });
    await drawer.getByText('The CFO championed us over a competitor').waitFor();
    await expectAccessible(page, 'escalation close form');

    // Without the follow-up's promise and due date the form stops, and nothing is closed.
    await drawer.getByRole('button', { name: 'Close escalation with this promise' }).click();
    await expect
      .poll(() => drawer.getByRole('textbox', { name: 'Promise made' }).getAttribute('aria-invalid'))
      .toBe('true');
    await expect
      .poll(() => drawer.getByRole('textbox', { name: 'Due' }).getAttribute('aria-invalid'))
      .toBe('true');
    const still = await api<{ status: string }>(page, 'GET', `/api/v1/signals/${escalation.id}`);
    expect(still.status).toBe('open');
    await screenshot(page, 'escalation-close-390');

    await drawer
      .getByRole('textbox', { name: 'Promise made' })
      .fill('Our VP Support calls the CFO on Friday with the root cause');
    await drawer.getByRole('textbox', { name: 'Due' }).fill('in 3 days');
    // The owner defaults to the account's owner once the account has answered.
    const accountOwner = await api<{ name: string }>(page, 'GET', `/api/v1/users/${account.ownerId}`);
    await expect
      .poll(() => drawer.getByRole('combobox', { name: 'Owner' }).inputValue())
      .toBe(accountOwner.name);
    await drawer.getByRole('button', { name: 'Close escalation with this promise' }).click();
    const closed = drawer.getByRole('status').filter({ hasText: 'Escalation closed' });
    await closed.waitFor();
    await closed
      .getByRole('link', { name: 'Our VP Support calls the CFO on Friday with the root cause' })
      .waitFor();
    const after = await api<{ status: string; followUpPromiseId: string }>(
      page,
      'GET',
      `/api/v1/signals/${escalation.id}`,
    );
    expect(after.status).toBe('closed');
    const followUp = await api<{ customerReason: string; ownerId: string }>(
      page,
      'GET',
      `/api/v1/promises/${after.followUpPromiseId}`,
    );
    // The reassurance the customer wanted is why they care; the account owner owns it.
    expect(followUp).toMatchObject({
      customerReason: 'A named executive owns the fix',
      ownerId: account.ownerId,
    });
    await context.close();

    // At desktop width, the closed escalation is listed under Closed.
    const wide = await newPage(app);
    await signIn(app, wide.page, app.admin.email, '/escalations?status=closed');
    await wide.page
      .getByRole('row')
      .filter({ hasText: 'CFO emailed our CEO about the failed export' })
      .waitFor();
    await expectAccessible(wide.page, 'escalations');
    await screenshot(wide.page, 'escalations');
    await wide.context.close();
  });

  it('a viewer reads handoffs and escalations but is offered no way to change them', async () => {
    // An open escalation, so the close form would be there for someone allowed to close it.
    const admin = await newPage(app);
    await signIn(app, admin.page, app.admin.email, '/escalations');
    const accounts = await api<{ data: AccountBody[] }>(
      admin.page,
      'GET',
      '/api/v1/accounts?sort=name&limit=1',
    );
    await api(admin.page, 'POST', '/api/v1/signals', {
      kind: 'escalation',
      accountId: (accounts.data[0] as AccountBody).id,
      summary: 'The COO asked who owns the onboarding delay',
      politicalRisk: 'The COO sponsored the purchase',
      desiredReassurance: 'A date for go-live they can repeat to their board',
    });
    await admin.context.close();

    const { context, page } = await newPage(app);
    await signIn(app, page, app.viewer.email, '/handoffs');
    await page.getByRole('heading', { level: 2, name: 'Handoffs' }).waitFor();
    await page.getByText('All', { exact: true }).click();
    await page.getByRole('article').first().waitFor();
    expect(await page.getByRole('button', { name: 'Start a handoff' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Complete handoff' }).count()).toBe(0);
    await page.goto('/escalations?status=all');
    const row = page.getByRole('row').filter({ hasText: 'The COO asked who owns the onboarding delay' });
    await row.getByRole('button', { name: /Open escalation/ }).click();
    const drawer = page.getByRole('dialog', { name: 'Escalation' });
    await drawer.getByText('The COO sponsored the purchase').waitFor();
    await drawer.getByText('Your role can read escalations but not close them.').waitFor();
    expect(await drawer.getByRole('button', { name: 'Close escalation with this promise' }).count()).toBe(0);
    await context.close();
  });
});
