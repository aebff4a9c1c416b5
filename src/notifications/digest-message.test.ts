import { describe, expect, it } from 'vitest';
import { type DigestFacts, digestIsEmpty, digestMessage, LIST_MAX, oneLine } from './digest-message.js';

const now = new Date('2026-11-04T07:00:00Z');
const promise = (n: number, dueAt: string) => ({
  promiseId: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  promiseMade: `Send the <b>export</b> guide #${n}`,
  accountName: 'Acme & Co',
  customerReason: 'They report on Monday',
  dueAt: new Date(dueAt),
});
const facts = (o: Partial<DigestFacts> = {}): DigestFacts => ({
  userName: 'Maya',
  zone: 'Europe/Berlin',
  date: '2026-11-04',
  now,
  dueSoon: [],
  dueSoonTotal: 0,
  overdue: [],
  overdueTotal: 0,
  unread: 0,
  ...o,
});

describe('digest message', () => {
  it('says what is overdue (with its age), what is due within 48 hours (with time left), and the unread count', () => {
    const m = digestMessage(
      facts({
        overdue: [promise(1, '2026-11-01T07:00:00Z')],
        overdueTotal: 1,
        dueSoon: [promise(2, '2026-11-05T10:00:00Z')],
        dueSoonTotal: 1,
        unread: 4,
      }),
    );
    expect(m.content.title).toBe('Your promises for 2026-11-04: 1 overdue, 1 due within 48 hours, 4 unread');
    expect(m.content.text).toContain('Overdue (1)');
    expect(m.content.text).toContain(
      'Send the <b>export</b> guide #1 — Acme & Co (due 2026-11-01 08:00:00+01:00, 3 days overdue)',
    );
    expect(m.content.text).toContain('(due 2026-11-05 11:00:00+01:00, in 1 day)');
    expect(m.content.text).toContain('Unread in your inbox: 4');
    expect(m.content.html).toContain('Send the &lt;b&gt;export&lt;/b&gt; guide #1 — Acme &amp; Co');
    expect(m.content.html).not.toContain('<b>export');
    expect(m.data).toMatchObject({ overdue: 1, dueWithin48Hours: 1, unread: 4, date: '2026-11-04' });
  });

  it('lists at most LIST_MAX per section and counts the rest', () => {
    const many = Array.from({ length: LIST_MAX }, (_, i) => promise(i, '2026-11-03T07:00:00Z'));
    const m = digestMessage(facts({ overdue: many, overdueTotal: LIST_MAX + 7 }));
    expect(m.content.text).toContain('… and 7 more');
    expect(m.content.text).toContain('Due within 48 hours (0)\n  nothing');
  });

  it('nothing to say is empty; one line flattens control characters and cuts long text', () => {
    expect(digestIsEmpty(facts())).toBe(true);
    expect(digestIsEmpty(facts({ unread: 1 }))).toBe(false);
    expect(oneLine('a\nb\r\n\tc', 50)).toBe('a b c');
    expect(oneLine('x'.repeat(30), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
