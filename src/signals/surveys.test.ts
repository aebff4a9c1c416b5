import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csatScore, followUpOwner, netPromoterScore, npsCategory, planNpsFollowUp } from './surveys.js';

const T0 = new Date('2026-11-02T09:00:00Z');
const OWNER = { id: 'owner', active: true };
const MANAGER = { id: 'manager', active: true };
const base = {
  comment: 'Exports keep timing out',
  respondedAt: T0,
  customerName: 'Maya Chen (Acme)',
  owner: OWNER,
  manager: MANAGER,
  recorderId: 'recorder',
};

describe('NPS categories', () => {
  it('0–6 detractor, 7–8 passive, 9–10 promoter', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsCategory)).toEqual([
      'detractor',
      'detractor',
      'passive',
      'passive',
      'promoter',
      'promoter',
    ]);
  });

  it('NPS = % promoters − % detractors, between −100 and 100; CSAT = % of 4–5', () => {
    expect(netPromoterScore([10, 9, 8, 3])).toBe(25);
    expect(netPromoterScore([])).toBeNull();
    expect(csatScore([5, 4, 3, 1])).toBe(50);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1 }), (scores) => {
        const nps = netPromoterScore(scores)!;
        expect(nps).toBeGreaterThanOrEqual(-100);
        expect(nps).toBeLessThanOrEqual(100);
      }),
    );
  });
});

describe('the promise a response calls for', () => {
  it('a detractor gets a call within 24 hours owned by the account owner’s manager', () => {
    const plan = planNpsFollowUp({ ...base, score: 3 })!;
    expect(plan).toMatchObject({
      reason: 'detractor_call',
      typeKey: 'executive_response',
      ownerId: 'manager',
      source: 'survey',
      dueAt: new Date(T0.getTime() + 24 * 3_600_000),
    });
    expect(plan.promiseMade).toContain('within 24 hours');
    expect(plan.customerReason).toContain('Exports keep timing out');
  });

  it('falls back to the owner without an active manager, then to whoever recorded it', () => {
    expect(followUpOwner('detractor', { owner: OWNER, manager: undefined, recorderId: 'r' })).toBe('owner');
    expect(
      followUpOwner('detractor', { owner: OWNER, manager: { id: 'm', active: false }, recorderId: 'r' }),
    ).toBe('owner');
    expect(
      followUpOwner('detractor', { owner: { id: 'o', active: false }, manager: undefined, recorderId: 'r' }),
    ).toBe('r');
    expect(followUpOwner('promoter', { owner: OWNER, manager: MANAGER, recorderId: 'r' })).toBe('owner');
  });

  it('a promoter gets a testimonial ask owned by the account owner; a passive nothing', () => {
    expect(planNpsFollowUp({ ...base, score: 9 })).toMatchObject({
      reason: 'testimonial_ask',
      typeKey: 'testimonial_request',
      ownerId: 'owner',
    });
    expect(planNpsFollowUp({ ...base, score: 7 })).toBeNull();
    expect(planNpsFollowUp({ ...base, score: 8 })).toBeNull();
  });

  it('every score 0–6 and 9–10 yields exactly one plan, due after the response', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.option(fc.string({ maxLength: 3000 })),
        (score, comment) => {
          const plan = planNpsFollowUp({ ...base, score, comment });
          expect(plan === null).toBe(score === 7 || score === 8);
          if (plan) {
            expect(plan.dueAt.getTime()).toBeGreaterThan(T0.getTime());
            expect(plan.customerReason.length).toBeLessThan(1200);
          }
        },
      ),
    );
  });
});
