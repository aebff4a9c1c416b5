// My day, quick capture and the promise actions (issue 6, acceptance flow first half): capture a promise
// with the `c` key and a natural-language due date, find it on My day, keep it with proof, and check
// the API agrees; validation by the fields, one promise per double-click, a viewer sees no write controls.
import type { Page, Request } from 'playwright-core';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxItems } from '../src/db/schema.js';
import { pdfText } from '../test/support/pdf.js';
import { wallClock, zonedInstant } from '../web/src/components/due-input.js';
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

const DAY_MS = 86_400_000;

interface Session {
  csrfToken: string;
  user: { id: string };
  workspace: { timeZone: string };
}
interface PromiseJson {
  id: string;
  promiseMade: string;
  status: string;
  dueAt: string;
  effectiveDueAt: string | null;
  proof: { kind: string; note: string | null; url: string | null } | null;
  recoveryStrength: string | null;
}

/** The signed-in browser session (cookie) as the API sees it, with its CSRF token for writes. */
async function sessionOf(page: Page): Promise<Session> {
  const res = await page.request.get('/api/v1/auth/session');
  expect(res.status()).toBe(200);
  return (await res.json()) as Session;
}

const promiseTotal = async (page: Page) =>
  (await api<{ total: number }>(page, 'GET', '/api/v1/promises?count=true&limit=1')).total;

/** End of the local day `days` after today in `zone`, as My day counts "the next 7 days". */
function endOfDayAfter(now: Date, zone: string, days: number): number {
  const w = wallClock(new Date(now.getTime() + days * DAY_MS), zone);
  return (
    zonedInstant({ year: w.year, month: w.month, day: w.day, hour: 23, minute: 59 }, zone).getTime() + 60_000
  );
}

describe.skipIf(SKIP_BROWSER_REASON !== undefined)('my day, quick capture and promise actions', () => {
  let app: E2EApp;
  let account: { id: string; name: string };
  beforeAll(async () => {
    app = await startE2E();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('captures a promise with the c key and "next Friday", shows it on My day, keeps it with proof', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/my-day');
    await expect.poll(() => page.getByRole('heading', { level: 2 }).first().textContent()).toBe('My day');
    const session = await sessionOf(page);
    const zone = session.workspace.timeZone;
    const accounts = await api<{ data: { id: string; name: string }[] }>(
      page,
      'GET',
      '/api/v1/accounts?limit=5',
    );
    account = accounts.data[0] as { id: string; name: string };

    // Something overdue and a reminder, so My day shows each part.
    await api(page, 'POST', '/api/v1/promises', {
      accountId: account.id,
      typeKey: 'support_resolution',
      promiseMade: 'Fix the duplicate invoice emails',
      customerReason: 'Their finance team is fielding confused vendors',
      ownerId: session.user.id,
      dueAt: new Date(Date.now() - 3 * DAY_MS - 3_600_000).toISOString(),
      emotion: 'disappointed',
    });
    const reminderId = uuidv7();
    await app.ctx.database.db.insert(inboxItems).values({
      workspaceId: app.workspace.id,
      id: reminderId,
      userId: session.user.id,
      reminderId: null,
      key: `e2e:${reminderId}`,
      kind: 'checkpoint_customer_update_required',
      subjectType: 'account',
      subjectId: account.id,
      title: `Customer update due: ${account.name}`,
      text: 'You are 80% through the timeline: tell the customer where things stand.',
      createdAt: new Date(),
    });
    await page.reload();
    await expect.poll(() => page.getByText('Fix the duplicate invoice emails').count()).toBe(1);
    const overdue = page.getByRole('region', { name: 'Overdue' });
    await expect.poll(() => overdue.getByText(/Overdue 3 days/).count()).toBe(1);

    // The reminder: mark it read, then done.
    const reminders = page.getByRole('region', { name: 'Reminders' });
    await expect.poll(() => reminders.getByText(`Customer update due: ${account.name}`).count()).toBe(1);
    await reminders.getByRole('button', { name: 'Mark read' }).click();
    await expect.poll(() => reminders.getByRole('button', { name: 'Mark read' }).count()).toBe(0);
    const inboxItem = async () =>
      (
        await api<{ data: { id: string; read: boolean; snoozedUntil: string | null }[] }>(
          page,
          'GET',
          '/api/v1/me/inbox?includeSnoozed=true',
        )
      ).data.find((i) => i.id === reminderId);
    expect((await inboxItem())?.read).toBe(true);

    // Quick capture with the keyboard shortcut.
    const before = await promiseTotal(page);
    await page.keyboard.press('c');
    const dialog = page.getByRole('dialog', { name: 'Capture a promise' });
    await dialog.waitFor();
    await screenshot(page, 'quick-capture');
    await expectAccessible(page, 'quick capture');

    // Empty: the API's messages appear by the fields.
    await dialog.getByRole('button', { name: 'Save promise' }).click();
    await expect
      .poll(() => dialog.getByRole('textbox', { name: 'Promise made' }).getAttribute('aria-invalid'))
      .toBe('true');
    await expect.poll(() => dialog.getByText('This field is required').count()).toBeGreaterThanOrEqual(3);
    expect(
      await dialog.getByRole('textbox', { name: 'Why the customer cares' }).getAttribute('aria-invalid'),
    ).toBe('true');
    await screenshot(page, 'quick-capture-errors');
    await expectAccessible(page, 'quick capture with field errors');
    expect(await promiseTotal(page)).toBe(before);

    await dialog.getByRole('textbox', { name: 'Promise made' }).fill('Send the revised SSO rollout plan');
    await dialog
      .getByRole('textbox', { name: 'Why the customer cares' })
      .fill('Their CISO signs off the renewal only with SSO in place');
    const accountInput = dialog.getByRole('combobox', { name: 'Account' });
    await accountInput.click();
    await accountInput.fill(account.name.slice(0, 6));
    await page.getByRole('option', { name: account.name, exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Due' }).fill('next Friday');
    await expect.poll(() => dialog.getByText(/^Due Fri \d+ \w+ \d{4}, 17:00/).count()).toBe(1);

    // A double-click on save creates one promise. Every create the page sent has answered before the
    // count, so a second one still in flight cannot hide.
    const creates: Request[] = [];
    const onRequest = (r: Request) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/promises') creates.push(r);
    };
    page.on('request', onRequest);
    await dialog.getByRole('button', { name: 'Save promise' }).dblclick();
    await expect.poll(() => page.getByText('Promise captured').count()).toBeGreaterThan(0);
    await expect.poll(() => dialog.count()).toBe(0);
    page.off('request', onRequest);
    await Promise.all(creates.map((r) => r.response()));
    expect(creates.length).toBeGreaterThan(0);
    expect(await promiseTotal(page)).toBe(before + 1);

    const [created] = (
      await api<{ data: PromiseJson[] }>(page, 'GET', '/api/v1/promises?owner=me&sort=-createdAt&limit=1')
    ).data;
    if (!created) throw new Error('the captured promise is not listed');
    expect(created.promiseMade).toBe('Send the revised SSO rollout plan');
    const due = new Date(created.dueAt);
    expect(wallClock(due, zone)).toMatchObject({ weekday: 5, hour: 17, minute: 0 });
    expect(due.getTime()).toBeGreaterThan(Date.now());
    expect(due.getTime()).toBeLessThan(Date.now() + 15 * DAY_MS);

    // On My day under the section its due date belongs to.
    const now = new Date();
    const section =
      due.getTime() < now.getTime() + 2 * DAY_MS
        ? 'Due within 48 hours'
        : due.getTime() < endOfDayAfter(now, zone, 7)
          ? 'Due in the next 7 days'
          : 'Later this month';
    const card = page
      .getByRole('region', { name: section })
      .locator(`article[data-promise-id="${created.id}"]`);
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.textContent()).toContain('Their CISO signs off the renewal only with SSO in place');
    expect(await card.textContent()).toContain(account.name);
    await screenshot(page, 'my-day');
    await expectAccessible(page, 'my day');

    // Keep it with proof, from My day.
    await card.getByRole('button', { name: 'Keep' }).click();
    const keep = page.getByRole('dialog', { name: 'Keep promise' });
    await keep.waitFor();
    // Without proof the API says what is missing, by the fields.
    await keep.getByRole('button', { name: 'Mark kept' }).click();
    await expect.poll(() => keep.getByText('This field is required').count()).toBeGreaterThanOrEqual(1);
    await keep.getByRole('combobox', { name: 'Proof of completion' }).click();
    await page.getByRole('option', { name: 'Email sent' }).click();
    await keep.getByRole('textbox', { name: 'Proof note' }).fill('Sent the plan to Maya; she confirmed it');
    await keep.getByRole('radio', { name: 'Yes: confidence restored' }).check();
    await screenshot(page, 'keep-promise');
    await expectAccessible(page, 'keep promise');
    await keep.getByRole('button', { name: 'Mark kept' }).click();
    await expect.poll(() => keep.count()).toBe(0);
    await expect.poll(() => page.locator(`article[data-promise-id="${created.id}"]`).count()).toBe(0);

    const kept = await api<PromiseJson>(page, 'GET', `/api/v1/promises/${created.id}`);
    expect(kept.status).toBe('kept');
    expect(kept.proof).toEqual({
      kind: 'email_sent',
      note: 'Sent the plan to Maya; she confirmed it',
      url: null,
    });
    expect(kept.recoveryStrength).toBe('confidence_restored');
    const open = await api<{ data: PromiseJson[] }>(
      page,
      'GET',
      '/api/v1/promises?owner=me&status=open&limit=100',
    );
    expect(open.data.some((p) => p.id === created.id)).toBe(false);

    // It is in the account's renewal prep ("You asked, we did"), on the page and in the PDF.
    await page.goto(`/accounts/${account.id}/renewal-prep`);
    await page.getByText('Send the revised SSO rollout plan').first().waitFor();
    await page.getByText('Sent the plan to Maya; she confirmed it').first().waitFor();
    const pdfHref = await page.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
    const pdf = await page.request.get(pdfHref ?? '');
    expect(pdf.headers()['content-type']).toMatch(/^application\/pdf/);
    // Wrapped lines leave doubled spaces: compare with white space folded.
    const pdfBody = pdfText(Buffer.from(await pdf.body())).replace(/\s+/g, ' ');
    expect(pdfBody).toContain('Send the revised SSO rollout plan');
    expect(pdfBody).toContain('Sent the plan to Maya');
    await page.goto('/my-day');

    // Snoozing the reminder hides it until then.
    await reminders.getByRole('button', { name: 'Snooze' }).click();
    await page.getByRole('menuitem', { name: 'For 1 hour' }).click();
    await expect.poll(() => reminders.getByText(`Customer update due: ${account.name}`).count()).toBe(0);
    expect((await inboxItem())?.snoozedUntil).not.toBeNull();
    await context.close();
  });

  it('posts an update, renegotiates, pauses and resumes from My day', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/my-day');
    const card = page.locator('article', { hasText: 'Fix the duplicate invoice emails' });
    await expect.poll(() => card.count()).toBe(1);

    await card.getByRole('button', { name: 'Post update' }).click();
    const update = page.getByRole('dialog', { name: 'Post an update' });
    await update.getByRole('textbox', { name: 'Update' }).fill('Root cause found; fix ships Tuesday');
    await update.getByRole('button', { name: 'Post update' }).click();
    await expect.poll(() => update.count()).toBe(0);

    await card.getByRole('button', { name: 'Renegotiate' }).click();
    const reneg = page.getByRole('dialog', { name: 'Renegotiate due date' });
    await reneg.getByRole('textbox', { name: 'New due date' }).fill('tomorrow 5pm');
    await reneg.getByRole('textbox', { name: 'Agreed by' }).fill('Maya Lopez, finance lead');
    await reneg.getByRole('button', { name: 'Save new due date' }).click();
    await expect.poll(() => reneg.count()).toBe(0);
    // No longer overdue: it moved to the next 48 hours.
    await expect
      .poll(() =>
        page
          .getByRole('region', { name: 'Due within 48 hours' })
          .getByText('Fix the duplicate invoice emails')
          .count(),
      )
      .toBe(1);

    await card.getByRole('button', { name: 'Pause' }).click();
    const pause = page.getByRole('dialog', { name: 'Pause the clock' });
    // Only a customer-caused delay pauses; the dialog says so instead of offering "us".
    await expect.poll(() => pause.getByText(/A delay on our side does not pause it/).count()).toBe(1);
    await pause.getByRole('textbox', { name: 'Reason' }).fill('Waiting for their vendor list');
    await pause.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => pause.count()).toBe(0);
    const paused = page.getByRole('region', { name: 'Paused' });
    await expect.poll(() => paused.getByText('Fix the duplicate invoice emails').count()).toBe(1);

    await paused.getByRole('button', { name: 'Resume' }).click();
    const resume = page.getByRole('dialog', { name: 'Resume the clock' });
    await resume.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => resume.count()).toBe(0);
    await expect.poll(() => page.getByRole('region', { name: 'Paused' }).count()).toBe(0);

    const [p] = (
      await api<{ data: (PromiseJson & { renegotiationCount: number; paused: boolean })[] }>(
        page,
        'GET',
        '/api/v1/promises?owner=me&status=open&limit=10',
      )
    ).data.filter((x) => x.promiseMade === 'Fix the duplicate invoice emails');
    expect(p?.renegotiationCount).toBe(1);
    expect(p?.paused).toBe(false);
    const history = await api<{ history: { type: string; payload: Record<string, unknown> }[] }>(
      page,
      'GET',
      `/api/v1/promises/${p?.id}`,
    );
    expect(history.history.map((e) => e.type)).toEqual(
      expect.arrayContaining(['commented', 'renegotiated', 'paused', 'resumed']),
    );
    await context.close();
  });

  it('My day works at phone width', async () => {
    const { context, page } = await newPage(app, { width: 390, height: 844 });
    await signIn(app, page, app.admin.email, '/my-day');
    await expect.poll(() => page.getByText('Fix the duplicate invoice emails').count()).toBe(1);
    await screenshot(page, 'my-day-390');
    await expectAccessible(page, 'my day at 390 px');
    await context.close();
  });

  it('a viewer sees no capture button and no actions, and the API refuses their capture', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.viewer.email, '/my-day');
    await expect.poll(() => page.getByRole('heading', { level: 2 }).first().textContent()).toBe('My day');
    await expect.poll(() => page.getByText(/overdue ·/).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Capture promise' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Keep' }).count()).toBe(0);
    await page.keyboard.press('c');
    await page.waitForTimeout(300);
    expect(await page.getByRole('dialog').count()).toBe(0);
    await screenshot(page, 'my-day-viewer');
    await expectAccessible(page, 'my day (viewer)');

    const s = await sessionOf(page);
    const res = await page.request.post('/api/v1/promises', {
      headers: { 'x-csrf-token': s.csrfToken },
      data: {
        accountId: account.id,
        typeKey: 'support_resolution',
        promiseMade: 'A viewer may not promise this',
        customerReason: 'They may not',
        ownerId: app.admin.userId,
        dueAt: new Date(Date.now() + DAY_MS).toISOString(),
      },
    });
    expect(res.status()).toBe(403);
    await context.close();
  });
});
