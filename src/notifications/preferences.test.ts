import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  channelsFor,
  endOfQuietHours,
  isQuiet,
  localDate,
  nextDigestAt,
  type Preferences,
  previousDigestAt,
  resolvePreferences,
} from './preferences.js';

const d = (s: string) => new Date(s);
const quiet = (start: string, end: string): Preferences['quiet'] => ({ start, end });

describe('defaults and channels', () => {
  it('without a stored row: email for most kinds, inbox only for the internal check-in and due', () => {
    const p = resolvePreferences(null);
    expect(channelsFor(p, 'overdue')).toEqual(['email']);
    expect(channelsFor(p, 'checkpoint_customer_update_required')).toEqual(['email']);
    expect(channelsFor(p, 'checkpoint_internal_check_in')).toEqual([]);
    expect(channelsFor(p, 'due')).toEqual([]);
    expect(p.digestEnabled).toBe(true);
    expect(p.digestTime).toBe('08:00');
    expect(p.quiet).toBeNull();
  });

  it('a changed kind replaces its default; slack goes out only with a webhook URL', () => {
    const stored = {
      channels: { due: ['slack', 'email'] as ('email' | 'slack')[], overdue: [] },
      quietStart: null,
      quietEnd: null,
      timeZone: null,
      digestEnabled: false,
      digestTime: '07:30',
      slackWebhookUrl: null,
    };
    expect(channelsFor(resolvePreferences(stored), 'due')).toEqual(['email']);
    expect(channelsFor(resolvePreferences(stored), 'overdue')).toEqual([]);
    const withSlack = resolvePreferences({ ...stored, slackWebhookUrl: 'https://hooks.example.test/x' });
    expect(channelsFor(withSlack, 'due')).toEqual(['email', 'slack']);
    expect(channelsFor(withSlack, 'renewal_prep')).toEqual(['email']);
  });
});

describe('quiet hours', () => {
  const NY = 'America/New_York';
  it('a window crossing midnight is quiet late in the evening and early in the morning', () => {
    const q = quiet('22:00', '07:00');
    expect(isQuiet(q, NY, d('2026-03-10T03:30:00Z'))).toBe(true); // 23:30 EDT
    expect(isQuiet(q, NY, d('2026-03-10T10:59:00Z'))).toBe(true); // 06:59
    expect(isQuiet(q, NY, d('2026-03-10T11:00:00Z'))).toBe(false); // 07:00
    expect(isQuiet(q, NY, d('2026-03-10T01:59:00Z'))).toBe(false); // 21:59
  });

  it('entered before midnight, the window ends the next morning; after midnight, the same morning', () => {
    const q = quiet('22:00', '07:00');
    expect(endOfQuietHours(q, NY, d('2026-03-10T03:30:00Z')).toISOString()).toBe('2026-03-10T11:00:00.000Z');
    expect(endOfQuietHours(q, NY, d('2026-03-10T08:00:00Z')).toISOString()).toBe('2026-03-10T11:00:00.000Z');
    const outside = d('2026-03-10T15:00:00Z');
    expect(endOfQuietHours(q, NY, outside)).toBe(outside);
  });

  it('across the spring-forward night the window ends at 07:00 local, one hour earlier in UTC', () => {
    // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT.
    expect(endOfQuietHours(quiet('22:00', '07:00'), NY, d('2026-03-08T04:00:00Z')).toISOString()).toBe(
      '2026-03-08T11:00:00.000Z',
    );
    // An end inside the gap (02:30) is reached when the gap ends (03:00 EDT).
    expect(endOfQuietHours(quiet('01:00', '02:30'), NY, d('2026-03-08T06:30:00Z')).toISOString()).toBe(
      '2026-03-08T07:00:00.000Z',
    );
  });

  it('in the repeated hour of fall-back, the second pass ends at the second occurrence of the end', () => {
    // 2026-11-01: 01:00–02:00 happens twice (EDT, then EST). 01:10 EST is 06:10Z.
    expect(endOfQuietHours(quiet('00:00', '01:30'), NY, d('2026-11-01T06:10:00Z')).toISOString()).toBe(
      '2026-11-01T06:30:00.000Z',
    );
    // First pass (01:10 EDT = 05:10Z): the first 01:30.
    expect(endOfQuietHours(quiet('00:00', '01:30'), NY, d('2026-11-01T05:10:00Z')).toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
  });

  it('when a transition skips the end time, the window runs on to the next day’s end', () => {
    // America/Santiago 2027-09-05: 00:00 jumps to 01:00, so 00:00 never reads that day.
    const q = quiet('00:01', '00:00');
    expect(endOfQuietHours(q, 'America/Santiago', d('2027-09-05T03:59:00Z')).toISOString()).toBe(
      '2027-09-06T03:00:00.000Z',
    );
  });

  const ZONES = [
    'UTC',
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe', // 30-minute DST
    'Asia/Kolkata',
    'Pacific/Chatham',
    'America/Santiago',
    'Europe/Berlin',
  ];
  const hhmm = fc
    .integer({ min: 0, max: 1439 })
    .map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
  const window = fc
    .tuple(hhmm, hhmm)
    .filter(([a, b]) => a !== b)
    .map(([a, b]) => quiet(a, b));
  // Instants over two years, biased towards the hours around each zone's DST transitions.
  const FROM = Date.parse('2026-01-01T00:00:00Z');
  const TO = Date.parse('2028-01-01T00:00:00Z');
  const instantIn = (zone: string) =>
    fc.oneof(
      fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms)),
      fc
        .tuple(fc.integer({ min: FROM, max: TO }), fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 }))
        .map(([ms, off]) => {
          const t = Temporal.Instant.fromEpochMilliseconds(ms)
            .toZonedDateTimeISO(zone)
            .getTimeZoneTransition('next');
          return new Date((t ? t.epochMilliseconds : ms) + off);
        }),
    );
  const arb = fc
    .constantFrom(...ZONES)
    .chain((zone) => fc.record({ zone: fc.constant(zone), q: window, at: instantIn(zone) }));

  it('laws: the end is at or after the instant, not quiet, the instant itself when not quiet, and the first such', () => {
    fc.assert(
      fc.property(arb, ({ zone, q, at }) => {
        const end = endOfQuietHours(q, zone, at);
        expect(end.getTime()).toBeGreaterThanOrEqual(at.getTime());
        expect(isQuiet(q, zone, end)).toBe(false);
        if (!isQuiet(q, zone, at)) expect(end.getTime()).toBe(at.getTime());
        else expect(isQuiet(q, zone, new Date(end.getTime() - 1))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('digest schedule', () => {
  it('next is strictly after, at the digest time in the zone; previous is at or before', () => {
    const zone = 'Europe/Berlin';
    expect(nextDigestAt('08:00', zone, d('2026-06-01T05:00:00Z')).toISOString()).toBe(
      '2026-06-01T06:00:00.000Z',
    );
    expect(nextDigestAt('08:00', zone, d('2026-06-01T06:00:00Z')).toISOString()).toBe(
      '2026-06-02T06:00:00.000Z',
    );
    expect(previousDigestAt('08:00', zone, d('2026-06-01T06:00:00Z')).toISOString()).toBe(
      '2026-06-01T06:00:00.000Z',
    );
    expect(previousDigestAt('08:00', zone, d('2026-06-01T05:59:00Z')).toISOString()).toBe(
      '2026-05-31T06:00:00.000Z',
    );
    expect(localDate(zone, d('2026-06-01T22:30:00Z'))).toBe('2026-06-02');
  });

  it('laws: one digest per local date, next > after, previous ≤ at, and next(previous(t)) > t', () => {
    const zones = ['America/New_York', 'Australia/Lord_Howe', 'Europe/London', 'UTC'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2028-01-01T00:00:00Z') }),
        (zone, m, ms) => {
          const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const at = new Date(ms);
          const next = nextDigestAt(time, zone, at);
          const prev = previousDigestAt(time, zone, at);
          expect(next.getTime()).toBeGreaterThan(ms);
          expect(prev.getTime()).toBeLessThanOrEqual(ms);
          expect(nextDigestAt(time, zone, prev).getTime()).toBe(next.getTime());
          expect(localDate(zone, next)).not.toBe(localDate(zone, prev));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
