// Settings › SLA policies: an admin adds a policy through the form (the API then lists it with those
// values), sees a field problem next to its field, edits the budget, and deletes the policy.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2EApp,
  expectAccessible,
  newPage,
  SKIP_BROWSER_REASON,
  screenshot,
  signIn,
  startE2E,
} from './support/app.js';

interface Policy {
  id: string;
  name: string;
  calendarId: string | null;
  match: { typeKeys: string[]; tiers: string[]; priorities: string[] };
  target: { kind: string; minutes: number };
  checkpoints: { percent: number; action: string }[];
  escalation: { to: string };
  remedySchedule: { fromBusinessMinutesLate: number; creditPercent: number }[];
}
interface Calendar {
  id: string;
  isDefault: boolean;
  weeklyMinutes: number;
  calendar: { week: Record<string, unknown[]> };
}

const NAME = 'Urgent strategic replies';

async function policies(page: Page): Promise<Policy[]> {
  return ((await (await page.request.get('/api/v1/sla-policies')).json()) as { data: Policy[] }).data;
}

/** A form control's label, with or without the asterisk Mantine adds to a required one. */
const field = (label: string) => new RegExp(`^${label}\\s*\\*?$`);

async function pick(page: Page, label: string, option: string) {
  await page.getByRole('dialog').getByLabel(field(label)).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe.skipIf(SKIP_BROWSER_REASON !== undefined)('settings: SLA policies', () => {
  let app: E2EApp;
  beforeAll(async () => {
    app = await startE2E();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('an admin adds, edits and deletes an SLA policy', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.admin.email, '/settings?tab=sla-policies');
    const addButton = page.getByRole('button', { name: 'Add a policy' });
    await expect.poll(() => addButton.isEnabled(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.locator('[aria-label^="Loading"]').count(), { timeout: 20_000 }).toBe(0);
    await expectAccessible(page, 'settings-sla-policies');
    await screenshot(page, 'settings-sla-policies');

    // Create through the form.
    await addButton.click();
    const dialog = page.getByRole('dialog', { name: 'Add an SLA policy' });
    await dialog.waitFor();
    await dialog.getByLabel(field('Name')).fill(NAME);
    await pick(page, 'Account tiers', 'Strategic');
    await pick(page, 'Priorities', 'Urgent');
    await dialog.getByLabel(field('Budget')).fill('4');
    await pick(page, 'Unit', 'hours');
    await dialog.getByLabel('Checkpoint 2 percent').fill('75');
    // Two service-credit steps: 5% from 4 hours late (the first step's default), 10% from 8.
    await dialog.getByRole('button', { name: 'Add remedy step' }).click();
    await dialog.getByRole('button', { name: 'Add remedy step' }).click();
    expect(await dialog.getByLabel('Remedy 1 from hours late').inputValue()).toBe('4 h');
    await dialog.getByLabel('Remedy 2 from hours late').fill('8');
    await dialog.getByLabel('Remedy 2 credit').fill('10');
    await dialog.getByRole('heading', { name: 'Checkpoints' }).click(); // closes any open dropdown
    await expectAccessible(page, 'settings-sla-policy-form');
    await screenshot(page, 'settings-sla-policy-form');
    await dialog.getByRole('button', { name: 'Add policy' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const calendars = ((await (await page.request.get('/api/v1/calendars')).json()) as { data: Calendar[] })
      .data;
    const defaultCalendar = calendars.find((c) => c.isDefault) as Calendar;
    const created = (await policies(page)).find((p) => p.name === NAME) as Policy;
    expect(created).toBeDefined();
    expect(created.match).toEqual({ typeKeys: [], tiers: ['strategic'], priorities: ['urgent'] });
    expect(created.calendarId).toBe(defaultCalendar.id);
    expect(created.target).toEqual({ kind: 'business', minutes: 240 });
    expect(created.checkpoints).toEqual([
      { percent: 50, action: 'internal_check_in' },
      { percent: 75, action: 'customer_update_required' },
    ]);
    expect(created.escalation).toEqual({ to: 'owner_manager' });
    expect(created.remedySchedule).toEqual([
      { fromBusinessMinutesLate: 240, creditPercent: 5 },
      { fromBusinessMinutesLate: 480, creditPercent: 10 },
    ]);
    const row = page.locator(`tr[data-policy="${NAME}"]`);
    await expect.poll(() => row.textContent()).toContain('4 business hours');
    expect(await row.textContent()).toContain('5% from 4 h late; 10% from 8 h late');
    await expectAccessible(page, 'settings-sla-policies-list');
    await screenshot(page, 'settings-sla-policies-list');

    // Edit the budget: a zero budget is refused next to the field, then 2 business days is saved.
    await page.getByRole('button', { name: `Edit ${NAME}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${NAME}` });
    await edit.waitFor();
    expect(await edit.getByLabel(field('Budget')).inputValue()).toBe('4');
    await edit.getByLabel(field('Budget')).fill('0');
    await edit.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => edit.getByText('must be at least 1 minute').count()).toBeGreaterThan(0);
    const budgetError = await edit.getByLabel(field('Budget')).getAttribute('aria-invalid');
    expect(budgetError).toBe('true');
    // A later remedy step that starts earlier than the one before it is refused by the step.
    await edit.getByLabel(field('Budget')).fill('4');
    await edit.getByLabel('Remedy 2 from hours late').fill('2');
    await edit.getByRole('button', { name: 'Save policy' }).click();
    await expect
      .poll(() => edit.getByLabel('Remedy 2 from hours late').getAttribute('aria-invalid'))
      .toBe('true');
    await edit.getByText('steps must be in increasing order of lateness').waitFor();
    await edit.getByLabel('Remedy 2 from hours late').fill('8');
    await edit.getByLabel(field('Budget')).fill('2');
    await pick(page, 'Unit', 'business days');
    await edit.getByRole('button', { name: 'Save policy' }).click();
    await edit.waitFor({ state: 'hidden' });
    // A business day is the calendar's average open day (24×7: 24 hours).
    const openDays = Object.values(defaultCalendar.calendar.week).filter((d) => d.length > 0).length;
    const day = Math.round(defaultCalendar.weeklyMinutes / openDays);
    const edited = (await policies(page)).find((p) => p.id === created.id) as Policy;
    expect(edited.target).toEqual({ kind: 'business', minutes: 2 * day });
    expect(edited.match).toEqual(created.match);
    expect(edited.remedySchedule).toEqual(created.remedySchedule);
    await expect.poll(() => row.textContent()).toContain('2 business days');

    // At phone width the tab still works (the table scrolls sideways).
    const phone = await newPage(app, { width: 390, height: 844 });
    await signIn(app, phone.page, app.admin.email, '/settings?tab=sla-policies');
    await phone.page.locator(`tr[data-policy="${NAME}"]`).waitFor();
    await expectAccessible(phone.page, 'settings-sla-policies-390');
    await screenshot(phone.page, 'settings-sla-policies-390');
    await phone.context.close();

    // Delete, after a confirmation.
    await page.getByRole('button', { name: `Delete ${NAME}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${NAME}?` });
    await confirm.getByRole('button', { name: 'Delete policy' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await row.waitFor({ state: 'detached' });
    expect((await policies(page)).some((p) => p.id === created.id)).toBe(false);
    await context.close();
  }, 180_000);

  it('a member sees no SLA policies tab', async () => {
    const { context, page } = await newPage(app);
    await signIn(app, page, app.member.email, '/settings?tab=sla-policies');
    await page.getByRole('heading', { level: 2, name: 'Settings' }).waitFor();
    expect(await page.getByRole('tab', { name: 'SLA policies' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add a policy' }).count()).toBe(0);
    await context.close();
  });
});
