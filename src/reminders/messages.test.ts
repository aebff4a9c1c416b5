import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountMessage,
  escapeHtml,
  humanDuration,
  type PromiseMessageFacts,
  paymentFailedMessage,
  promiseMessage,
} from './messages.js';

const facts: PromiseMessageFacts = {
  promiseId: '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  promiseMade: 'Send Maya a 2-minute video showing how to filter exports by region',
  customerReason: 'She defends the rollout in Monday’s leadership meeting',
  accountId: '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c',
  accountName: 'Northwind',
  contactName: 'Maya Chen',
  ownerId: '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d',
  ownerName: 'Sam Owner',
  dueAt: new Date('2026-11-12T09:00:00Z'),
};

describe('promise messages', () => {
  it('say what was promised, to whom, why it matters, when it is due and what to do', () => {
    const m = promiseMessage(facts, {
      kind: 'checkpoint_customer_update_required',
      reminderAt: new Date('2026-11-10T01:00:00Z'),
      detail: { percent: 80 },
      timeZone: 'Europe/Berlin',
    });
    expect(m.content.title).toBe(
      'Customer update required (80% of the time used): Send Maya a 2-minute video showing how to filter exports by region — Maya Chen at Northwind',
    );
    expect(m.content.text).toContain('Promised: Send Maya a 2-minute video');
    expect(m.content.text).toContain('To: Maya Chen at Northwind');
    expect(m.content.text).toContain('Why the customer cares: She defends the rollout');
    expect(m.content.text).toContain('Due: 2026-11-12 10:00:00+01:00 (Europe/Berlin)');
    expect(m.content.text).toContain('Send the customer an update');
    expect(m.data).toMatchObject({
      kind: 'checkpoint_customer_update_required',
      promiseId: facts.promiseId,
      dueAt: '2026-11-12T09:00:00.000Z',
      checkpointPercent: 80,
      promise: { promiseMade: facts.promiseMade, account: 'Northwind', contact: 'Maya Chen' },
    });
  });

  it('overdue says by how long and asks to escalate', () => {
    const m = promiseMessage(facts, {
      kind: 'overdue',
      reminderAt: new Date('2026-11-14T10:00:00Z'),
      detail: { overdueDay: 3 },
      timeZone: 'UTC',
    });
    expect(m.content.title).toMatch(/^Overdue by 2 days: /);
    expect(m.content.text).toContain('escalate');
    expect(m.data.overdueDay).toBe(3);
  });

  it('escapes every interpolated value in the HTML body and flattens the title', () => {
    const evil = { ...facts, promiseMade: '<script>alert("x")</script>\nnext', accountName: 'A & B <Corp>' };
    const m = promiseMessage(evil, { kind: 'due', reminderAt: facts.dueAt, timeZone: 'UTC' });
    expect(m.content.html).not.toContain('<script>');
    expect(m.content.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>next');
    expect(m.content.html).toContain('A &amp; B &lt;Corp&gt;');
    expect(m.content.title).not.toContain('\n');
  });

  it('no user text survives unescaped into HTML (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (made, reason, name) => {
        const m = promiseMessage(
          { ...facts, promiseMade: made, customerReason: reason, accountName: name, contactName: null },
          { kind: 'due', reminderAt: facts.dueAt, timeZone: 'UTC' },
        );
        // The only tags are ours.
        const tags = m.content.html.match(/<\/?[a-z0-9]+[^>]*>/g) ?? [];
        return tags.every((t) => /^<\/?(h2|table|tr|th|td|p|strong|br)( [a-z]+="[a-z]+")*>$/.test(t));
      }),
    );
  });
});

describe('account and payment messages', () => {
  const acct = {
    accountId: facts.accountId,
    accountName: 'Northwind',
    ownerId: facts.ownerId,
    renewalDate: '2026-12-31',
    lastActivityAt: new Date('2026-11-01T12:00:00Z'),
    inactivityDays: 14,
  };
  it('renewal preparation names the date', () => {
    const m = accountMessage(acct, { kind: 'renewal_prep', reminderAt: new Date(), timeZone: 'UTC' });
    expect(m.content.title).toBe('Renewal coming up: Northwind renews on 2026-12-31');
    expect(m.data).toMatchObject({ kind: 'renewal_prep', accountId: facts.accountId });
  });
  it('inactivity names the threshold and the last activity', () => {
    const m = accountMessage(acct, { kind: 'inactivity', reminderAt: new Date(), timeZone: 'UTC' });
    expect(m.content.title).toBe('No product activity at Northwind for 14 days');
    expect(m.content.text).toContain('Last product activity: 2026-11-01 12:00:00+00:00 (UTC)');
  });
  it('a failed payment shows the amount in its currency', () => {
    const m = paymentFailedMessage(
      {
        signalId: facts.promiseId,
        accountId: facts.accountId,
        accountName: 'Northwind',
        amountMinor: 125_000,
        currency: 'USD',
        reference: 'inv_42',
        occurredAt: new Date('2026-11-02T09:00:00Z'),
      },
      'UTC',
    );
    expect(m.content.title).toBe('Payment failed: Northwind ($1,250.00)');
    expect(m.content.text).toContain('Reference: inv_42');
    expect(m.data).toMatchObject({ kind: 'payment_failed', amountMinor: 125_000, currency: 'USD' });
  });
  it('helpers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(humanDuration(2 * 86_400_000 + 5)).toBe('2 days');
    expect(humanDuration(3_600_000)).toBe('1 hour');
    expect(humanDuration(10)).toBe('less than a minute');
  });
});
