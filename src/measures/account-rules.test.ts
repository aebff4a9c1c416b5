import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDate, parseDate } from '../time/zone.js';
import {
  type AccountFact,
  addMonths,
  arrAt,
  arrBuckets,
  type ChurnTally,
  type CurrencyBucket,
  churnCounts,
  cohortCheckpoints,
  isCustomerAt,
  ltvOf,
  type OutcomesByAccount,
  type RenewalOutcome,
  type RiskFacts,
  renewalVerdict,
  renewalVerdictOf,
  retainedAt,
  retainedOne,
  riskAt,
  tallyArr,
  tallyChurn,
} from './account-rules.js';
import { periodsCovering, startOfDay } from './period.js';

const DAY = 86_400_000;
const d = (s: string) => new Date(s);
const [OCT] = periodsCovering('2026-10-01', '2026-10-31', 'month', 'UTC') as [
  ReturnType<typeof periodsCovering>[number],
];

function acct(id: string, o: Partial<AccountFact> = {}): AccountFact {
  return {
    id,
    name: id,
    tier: 'smb',
    ownerId: 'u',
    arrMinor: 1000,
    currency: 'USD',
    temperature: 'neutral',
    startDay: parseDate('2025-01-01')!,
    startAt: d('2025-01-01T00:00:00Z'),
    renewalDate: null,
    ...o,
  };
}
const out = (at: string, outcome: 'renewed' | 'churned', before: number, after: number): RenewalOutcome => ({
  occurredAt: d(at),
  outcome,
  arrBeforeMinor: before,
  arrAfterMinor: after,
  currency: 'USD',
});
const noRisk: RiskFacts = { temperatures: new Map(), renewalRiskPromises: new Map(), billing: new Map() };

describe('customers and ARR', () => {
  it('a customer has started before the instant and is not churned by then; a win-back is a customer again', () => {
    const a = acct('a', { startAt: d('2026-03-01T00:00:00Z') });
    const list = [
      out('2026-05-01T00:00:00Z', 'churned', 1000, 0),
      out('2026-07-01T00:00:00Z', 'renewed', 0, 500),
    ];
    expect(isCustomerAt(a, list, d('2026-03-01T00:00:00Z'))).toBe(false); // starts at that instant
    expect(isCustomerAt(a, list, d('2026-04-01T00:00:00Z'))).toBe(true);
    expect(isCustomerAt(a, list, d('2026-05-01T00:00:00Z'))).toBe(true); // churn not *before* it
    expect(isCustomerAt(a, list, d('2026-06-01T00:00:00Z'))).toBe(false);
    expect(isCustomerAt(a, list, d('2026-08-01T00:00:00Z'))).toBe(true);
  });

  it('start ARR: after the latest outcome before, else before the first after, else the current ARR', () => {
    const a = acct('a', { arrMinor: 999 });
    const list = [
      out('2026-05-01T00:00:00Z', 'renewed', 100, 200),
      out('2026-09-01T00:00:00Z', 'renewed', 250, 300),
    ];
    expect(arrAt(a, list, d('2026-04-01T00:00:00Z')).minor).toBe(100);
    expect(arrAt(a, list, d('2026-06-01T00:00:00Z')).minor).toBe(200);
    expect(arrAt(a, list, d('2026-10-01T00:00:00Z')).minor).toBe(300);
    expect(arrAt(a, [], d('2026-10-01T00:00:00Z')).minor).toBe(999);
  });

  const outcomeList = fc
    .array(
      fc.record({
        day: fc.integer({ min: 0, max: 200 }),
        churned: fc.boolean(),
        before: fc.integer({ min: 0, max: 10_000 }),
        after: fc.integer({ min: 0, max: 10_000 }),
      }),
      { maxLength: 4 },
    )
    .map((xs) =>
      xs
        .map((x) =>
          out(
            new Date(Date.parse('2026-06-01T00:00:00Z') + x.day * DAY).toISOString(),
            x.churned ? 'churned' : 'renewed',
            x.before,
            x.churned ? 0 : x.after,
          ),
        )
        .sort((p, q) => p.occurredAt.getTime() - q.occurredAt.getTime()),
    );
  const book = fc
    .array(fc.tuple(fc.integer({ min: -400, max: 120 }), outcomeList), { maxLength: 8 })
    .map((xs) => {
      const accounts = xs.map(([startOffset], i) =>
        acct(`a${i}`, { startAt: new Date(Date.parse('2026-10-01T00:00:00Z') + startOffset * DAY) }),
      );
      const outcomes: OutcomesByAccount = new Map(xs.map(([, list], i) => [`a${i}`, list]));
      return { accounts, outcomes };
    });

  it('churn: the lost are among the customers at the start, so the rate is within 0..100 %', () => {
    fc.assert(
      fc.property(book, ({ accounts, outcomes }) => {
        const c = churnCounts(accounts, outcomes, OCT);
        expect(c.lost.size).toBeLessThanOrEqual(c.atStart.length);
        for (const id of c.lost) expect(c.atStart.some((a) => a.id === id)).toBe(true);
      }),
    );
  });

  it('NRR: with no outcome in the period it is 100 %, and the customers are those of gross churn', () => {
    fc.assert(
      fc.property(book, ({ accounts, outcomes }) => {
        const b = arrBuckets(accounts, outcomes, OCT).get('USD');
        const c = churnCounts(accounts, outcomes, OCT);
        expect(b?.customers ?? 0).toBe(c.atStart.length);
        expect(b?.lost ?? 0).toBe(c.lost.size);
        const quiet = arrBuckets(accounts, outcomes, {
          start: d('2030-01-01T00:00:00Z'),
          end: d('2030-02-01T00:00:00Z'),
        });
        for (const q of quiet.values()) {
          expect(q.expansion + q.contraction + q.churned).toBe(0);
        }
      }),
    );
  });

  it('LTV is null ("no data") without churn or customers, never Infinity', () => {
    const base = { customers: 4, start: 230000, expansion: 0, contraction: 0, churned: 0, lost: 0 };
    expect(ltvOf(base, 31).ltv).toBeNull();
    expect(ltvOf({ ...base, customers: 0, start: 0 }, 31)).toEqual({
      averageArr: null,
      revenue: null,
      ltv: null,
    });
    // 57500 × 31 / 365 / (1/4) = 19534.25
    expect(ltvOf({ ...base, lost: 1 }, 31).ltv).toBeCloseTo(19534.2466, 3);
  });
});

describe('renewal risk', () => {
  const risk: RiskFacts = {
    temperatures: new Map([['a', [{ temperature: 'strained', setAt: d('2026-10-10T00:00:00Z') }]]]),
    renewalRiskPromises: new Map([
      ['b', [{ createdAt: d('2026-09-01T00:00:00Z'), closedAt: d('2026-10-05T00:00:00Z') }]],
    ]),
    billing: new Map([
      [
        'c',
        [
          { occurredAt: d('2026-09-01T00:00:00Z'), event: 'payment_failed' },
          { occurredAt: d('2026-09-05T00:00:00Z'), event: 'payment_recovered' },
          { occurredAt: d('2026-10-07T00:00:00Z'), event: 'payment_failed' },
        ],
      ],
    ]),
  };
  it('judges temperature, renewal-risk promises and unrecovered payments at the instant', () => {
    const a = acct('a', { temperature: 'warm' });
    expect(riskAt(a, risk, d('2026-10-09T00:00:00Z')).temperature).toBe(false); // no reading yet → unknown
    expect(riskAt(a, risk, d('2026-10-10T00:00:00Z')).temperature).toBe(true);
    expect(riskAt(acct('x', { temperature: 'fragile' }), risk, d('2026-10-01T00:00:00Z')).temperature).toBe(
      true,
    );
    expect(riskAt(acct('b'), risk, d('2026-10-04T00:00:00Z')).flagged).toBe(true);
    expect(riskAt(acct('b'), risk, d('2026-10-05T00:00:00Z')).flagged).toBe(false); // closed then
    expect(riskAt(acct('c'), risk, d('2026-09-03T00:00:00Z')).flagged).toBe(true);
    expect(riskAt(acct('c'), risk, d('2026-09-06T00:00:00Z')).flagged).toBe(false); // recovered
    expect(riskAt(acct('c'), risk, d('2026-10-08T00:00:00Z')).flagged).toBe(true);
  });

  it('a renewal: at risk at its instant, saved by a renewed outcome; pending while the date is ahead', () => {
    const strained: RiskFacts = { ...noRisk };
    const a = acct('s', { temperature: 'strained', renewalDate: '2026-10-20' });
    const now = d('2026-11-15T00:00:00Z');
    expect(renewalVerdict(a, [], strained, OCT, now, 'UTC')).toMatchObject({ status: 'no_outcome' });
    expect(
      renewalVerdict(a, [out('2026-10-18T00:00:00Z', 'renewed', 1, 1)], strained, OCT, now, 'UTC'),
    ).toMatchObject({
      status: 'renewed',
      byTemperature: true,
    });
    expect(renewalVerdict(a, [], strained, OCT, d('2026-10-19T00:00:00Z'), 'UTC')).toEqual({
      status: 'pending',
    });
    expect(renewalVerdict({ ...a, temperature: 'warm' }, [], strained, OCT, now, 'UTC')).toBeNull();
    expect(renewalVerdict({ ...a, renewalDate: '2026-12-01' }, [], strained, OCT, now, 'UTC')).toBeNull();
    // Lost before the period: not a renewal of this period.
    expect(
      renewalVerdict(a, [out('2026-08-01T00:00:00Z', 'churned', 1, 0)], strained, OCT, now, 'UTC'),
    ).toBeNull();
    // Renewed early in September (50 days before the 10-20 date): that renewal answered the date,
    // so October has no second one. Renewed 100 days before: a different cycle, October's date stands.
    expect(
      renewalVerdict(a, [out('2026-08-31T00:00:00Z', 'renewed', 1, 1)], strained, OCT, now, 'UTC'),
    ).toBeNull();
    expect(
      renewalVerdict(a, [out('2026-07-12T00:00:00Z', 'renewed', 1, 1)], strained, OCT, now, 'UTC'),
    ).toMatchObject({ status: 'no_outcome' });
  });
});

describe('cohorts', () => {
  it('month ends after the cohort period, up to now, the last one as of now', () => {
    expect(cohortCheckpoints(OCT, d('2026-12-10T00:00:00Z'), 'UTC').map((x) => x.toISOString())).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2026-12-10T00:00:00.000Z',
    ]);
    expect(cohortCheckpoints(OCT, d('2026-12-01T00:00:00Z'), 'UTC')).toHaveLength(2);
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
  });

  it('checkpoints increase and never pass now; with no win-back retention never rises', () => {
    fc.assert(
      fc.property(
        // Month starts (Nov 1, Dec 1, Jan 1 …) as "now" as well: the boundary cases.
        fc.oneof(fc.integer({ min: 0, max: 900 }), fc.constantFrom(31, 61, 92, 123)),
        fc.array(fc.integer({ min: 0, max: 900 }), { maxLength: 6 }),
        (nowDays, churnDays) => {
          const now = new Date(Date.parse('2026-10-01T00:00:00Z') + nowDays * DAY);
          const cps = cohortCheckpoints(OCT, now, 'UTC');
          expect(cps.length).toBeGreaterThan(0);
          for (let i = 1; i < cps.length; i++)
            expect(cps[i]!.getTime()).toBeGreaterThan(cps[i - 1]!.getTime());
          expect(cps[cps.length - 1]!.getTime()).toBeLessThanOrEqual(
            Math.max(now.getTime(), OCT.end.getTime()),
          );
          const cohort = churnDays.map((_, i) => acct(`c${i}`));
          const outcomes: OutcomesByAccount = new Map(
            churnDays.map((n, i) => [
              `c${i}`,
              [out(new Date(Date.parse('2026-10-01T00:00:00Z') + n * DAY).toISOString(), 'churned', 1, 0)],
            ]),
          );
          const retained = cps.map((at) => retainedAt(cohort, outcomes, at));
          for (let i = 1; i < retained.length; i++)
            expect(retained[i]!).toBeLessThanOrEqual(retained[i - 1]!);
        },
      ),
    );
  });
});

describe('one pass per account equals the per-period rules', () => {
  const ZONE = 'America/New_York';
  // Months and weeks around a DST change, plus odd windows (the impact report's 90-day periods).
  const monthly = periodsCovering('2026-08-01', '2027-01-31', 'month', ZONE);
  const weekly = periodsCovering('2026-10-19', '2026-11-15', 'week', ZONE);
  const windows = [
    {
      ...monthly[0]!,
      key: 'before',
      start: monthly[0]!.start,
      end: monthly[3]!.end,
      endEpochDay: monthly[3]!.endEpochDay,
    },
    {
      ...monthly[2]!,
      key: 'after',
      start: monthly[2]!.start,
      end: monthly[5]!.end,
      endEpochDay: monthly[5]!.endEpochDay,
    },
  ];
  const periodSets = fc.constantFrom(monthly, weekly, windows);
  const T0 = Date.parse('2026-07-01T00:00:00Z');
  // Instants on whole hours, often exactly at a local midnight (a period boundary).
  const instant = fc
    .tuple(fc.integer({ min: 0, max: 220 }), fc.constantFrom(0, 4, 5, 13, 23))
    .map(([day, hour]) => new Date(T0 + day * DAY + hour * 3_600_000));
  const outcome = fc
    .record({
      at: instant,
      churned: fc.boolean(),
      before: fc.integer({ min: 0, max: 10_000 }),
      after: fc.integer({ min: 0, max: 10_000 }),
      currency: fc.constantFrom('USD', 'EUR'),
    })
    .map(
      (x): RenewalOutcome => ({
        occurredAt: x.at,
        outcome: x.churned ? 'churned' : 'renewed',
        arrBeforeMinor: x.before,
        arrAfterMinor: x.churned ? 0 : x.after,
        currency: x.currency,
      }),
    );
  const sortedBy = <T>(xs: T[], at: (x: T) => Date) =>
    [...xs].sort((p, q) => at(p).getTime() - at(q).getTime());
  const temperature = fc.constantFrom('warm', 'neutral', 'strained', 'fragile' as const);
  const account = fc.record({
    start: instant,
    arr: fc.integer({ min: 0, max: 10_000 }),
    currency: fc.constantFrom('USD', 'EUR'),
    temperature: fc.option(temperature),
    renewalDay: fc.option(fc.integer({ min: 0, max: 220 }).map((n) => parseDate('2026-07-01')! + n)),
    outcomes: fc.array(outcome, { maxLength: 5 }).map((xs) => sortedBy(xs, (o) => o.occurredAt)),
    temps: fc.array(fc.record({ temperature, setAt: instant }), { maxLength: 3 }),
    promises: fc.array(fc.record({ createdAt: instant, closedAt: fc.option(instant) }), { maxLength: 2 }),
    billing: fc.array(
      fc.record({
        occurredAt: instant,
        event: fc.constantFrom('payment_failed', 'payment_recovered' as const),
      }),
      { maxLength: 3 },
    ),
  });
  const book = fc.array(account, { maxLength: 8 }).map((xs) => {
    const accounts = xs.map((x, i) =>
      acct(`a${i}`, {
        startAt: x.start,
        startDay: parseDate(x.start.toISOString().slice(0, 10))!,
        arrMinor: x.arr,
        currency: x.currency,
        temperature: x.temperature,
        renewalDate: x.renewalDay === null ? null : formatDate(x.renewalDay),
      }),
    );
    const outcomes: OutcomesByAccount = new Map(xs.map((x, i) => [`a${i}`, x.outcomes]));
    const risk: RiskFacts = {
      temperatures: new Map(xs.map((x, i) => [`a${i}`, sortedBy(x.temps, (h) => h.setAt)])),
      renewalRiskPromises: new Map(xs.map((x, i) => [`a${i}`, x.promises])),
      billing: new Map(xs.map((x, i) => [`a${i}`, sortedBy(x.billing, (b) => b.occurredAt)])),
    };
    return { accounts, outcomes, risk };
  });

  it('churn and ARR buckets', () => {
    fc.assert(
      fc.property(book, periodSets, ({ accounts, outcomes }, periods) => {
        const churn: ChurnTally[] = periods.map(() => ({ atStart: 0, lost: 0 }));
        const arr: Map<string, CurrencyBucket>[] = periods.map(() => new Map());
        for (const a of accounts) {
          tallyChurn(churn, a, outcomes.get(a.id), periods);
          tallyArr(arr, a, outcomes.get(a.id), periods);
        }
        periods.forEach((p, k) => {
          const c = churnCounts(accounts, outcomes, p);
          expect(churn[k]).toEqual({ atStart: c.atStart.length, lost: c.lost.size });
          expect(arr[k]).toEqual(arrBuckets(accounts, outcomes, p));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('renewal verdicts and cohort retention', () => {
    fc.assert(
      fc.property(book, periodSets, instant, ({ accounts, outcomes, risk }, periods, now) => {
        const dayStart = (day: number) => startOfDay(day, ZONE);
        for (const a of accounts) {
          const list = outcomes.get(a.id);
          const day = a.renewalDate === null ? null : parseDate(a.renewalDate);
          for (const p of periods) {
            expect(renewalVerdictOf(a, day, list, risk, p, now, dayStart)).toEqual(
              renewalVerdict(a, list, risk, p, now, ZONE),
            );
          }
          for (const p of periods) {
            const at = p.start;
            expect(retainedOne(list, at) ? 1 : 0).toBe(retainedAt([a], outcomes, at));
          }
          expect(retainedOne(list, now) ? 1 : 0).toBe(retainedAt([a], outcomes, now));
        }
      }),
      { numRuns: 300 },
    );
  });
});
