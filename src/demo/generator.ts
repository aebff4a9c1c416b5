// Deterministic generator of a realistic workspace: users, accounts, contacts, temperature history,
// and promises whose histories are produced by the real pure rules (decide/evolve) and chained
// with the real hash chain. The demo seed and the benchmark both use it.
import type { accounts, accountTemperatureHistory, contacts, users } from '../db/schema.js';
import { type ChainedEvent, chainEvent } from '../ledger/chain.js';
import {
  BUILTIN_PROMISE_TYPES,
  CONSEQUENCES,
  decide,
  decideCreate,
  EMOTIONS,
  evolve,
  type PromiseCommand,
  type PromiseState,
  type Source,
} from '../promises/promise.js';

/** Small seeded PRNG (mulberry32): reproducible data sets need no library. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const weighted = <T>(pairs: readonly [T, number][]): T => {
    const total = pairs.reduce((n, [, w]) => n + w, 0);
    let r = next() * total;
    for (const [v, w] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    return pairs[pairs.length - 1]![0];
  };
  // Deterministic UUID (version 4 layout) from the stream.
  const uuid = () => {
    const hex = Array.from({ length: 4 }, () =>
      (Math.floor(next() * 2 ** 32) >>> 0).toString(16).padStart(8, '0'),
    ).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  return { next, int, pick, weighted, uuid };
}
export type Rng = ReturnType<typeof rng>;

export interface GenerateSpec {
  workspaceId: string;
  /** The workspace's admin (already created): acts on some events, manages the managers. */
  adminId: string;
  accounts: number;
  promises: number;
  /** Average events per promise (at least ~3: created, activity, close). */
  eventsPerPromise?: number;
  seed?: number;
  now: Date;
  /** Promises per yielded chunk. */
  chunkSize?: number;
}

export interface ProjectionRow extends PromiseState {
  version: number;
  headHash: string;
}

export interface GeneratedChunk {
  users: (typeof users.$inferInsert)[];
  accounts: (typeof accounts.$inferInsert)[];
  contacts: (typeof contacts.$inferInsert)[];
  temperatureHistory: (typeof accountTemperatureHistory.$inferInsert)[];
  promises: ProjectionRow[];
  events: ChainedEvent[];
}

const DAY = 86_400_000;
const FIRST = [
  'Maya',
  'Jonas',
  'Priya',
  'Diego',
  'Amara',
  'Lena',
  'Tomás',
  'Hana',
  'Kwame',
  'Sofia',
  'Ravi',
  'Elif',
  'Noah',
  'Yuki',
  'Owen',
  'Zara',
];
const LAST = [
  'Okafor',
  'Lindqvist',
  'Sharma',
  'Alvarez',
  'Chen',
  'Novak',
  'Haddad',
  'Kowalski',
  'Mensah',
  'Rossi',
  'Tanaka',
  'Byrne',
  'Dubois',
  'Silva',
];
const CO_A = [
  'Northwind',
  'Bluepeak',
  'Cobalt',
  'Harbor',
  'Juniper',
  'Lumen',
  'Meridian',
  'Orchard',
  'Quartz',
  'Redwood',
  'Summit',
  'Tidal',
  'Vertex',
  'Willow',
  'Atlas',
  'Beacon',
];
const CO_B = [
  'Analytics',
  'Logistics',
  'Health',
  'Foods',
  'Robotics',
  'Finance',
  'Energy',
  'Studios',
  'Labs',
  'Retail',
  'Systems',
  'Partners',
];
const TITLES = [
  'VP Operations',
  'Finance Manager',
  'Head of Customer Experience',
  'IT Director',
  'RevOps Lead',
  'COO',
  'Product Owner',
];

const PROMISE_TEXT: Record<keyof typeof BUILTIN_PROMISE_TYPES, [string, string][]> = {
  product_follow_up: [
    [
      'Send {c} a screenshot and 2-minute video showing how finance managers filter dashboard exports by region',
      '{c} has to defend the rollout in the leadership meeting',
    ],
    [
      'Confirm whether bulk export supports custom date ranges and send {c} the answer in writing',
      'their month-end close depends on it',
    ],
  ],
  support_resolution: [
    [
      'Fix the SSO login loop for the {a} finance team and confirm with {c} once verified',
      'forty users cannot log in and {c} is taking the heat internally',
    ],
    [
      'Root-cause the duplicated invoices and share the write-up with {c}',
      '{c} needs to reassure their auditors',
    ],
  ],
  executive_response: [
    [
      'Have our VP of Customer Success call {c} to walk through the outage review',
      '{c} was embarrassed in front of their board',
    ],
    [
      'Send {c} a signed letter describing the remediation plan',
      'their executive sponsor asked for it before renewing',
    ],
  ],
  onboarding_change: [
    [
      'Move the {a} onboarding sessions to the European time slot',
      'their team in Lisbon cannot attend the current slot',
    ],
    [
      'Configure the approval workflow the way {c} described on the kickoff call',
      'sales told them it would be ready on day one',
    ],
  ],
  billing_clarification: [
    [
      'Explain to {c} the pro-rated charge on the last invoice, line by line',
      'their finance team flagged it as an overcharge',
    ],
    [
      'Issue a corrected invoice for {a} with the agreed discount',
      '{c} cannot get the invoice approved otherwise',
    ],
  ],
  roadmap_update: [
    ['Tell {c} which quarter the audit-log export is planned for', 'their compliance review depends on it'],
    [
      'Share the roadmap note on regional data residency with {c}',
      'legal at {a} is blocking expansion until it is clear',
    ],
  ],
  training_resource: [
    [
      "Record a 10-minute walkthrough of the reporting module for {c}'s new hires",
      'twelve new analysts start next month',
    ],
    ['Run an admin training session for the {a} team', '{c} feels the team was left alone after go-live'],
  ],
  risk_review: [
    [
      'Review the {a} account health with {c} and agree a recovery plan',
      'usage dropped 40% and the renewal is close',
    ],
    [
      'Walk {c} through the security questionnaire answers',
      'their security team must sign off before renewal',
    ],
  ],
};
const PROOFS: [PromiseCommand & { kind: 'keep' }][] = [
  [
    {
      kind: 'keep',
      proof: { kind: 'email_sent', note: 'Sent the write-up and got a thank-you reply' },
      recoveryStrength: 'confidence_restored',
    },
  ],
  [
    {
      kind: 'keep',
      proof: { kind: 'loom_recorded', url: 'https://video.example.com/walkthrough' },
      recoveryStrength: 'task_closed',
    },
  ],
  [
    {
      kind: 'keep',
      proof: { kind: 'meeting_held', note: 'Call held, customer confirmed the fix' },
      recoveryStrength: 'confidence_restored',
    },
  ],
  [
    {
      kind: 'keep',
      proof: { kind: 'configuration_updated', note: 'Workflow configured and tested with the customer' },
      recoveryStrength: 'task_closed',
    },
  ],
  [
    {
      kind: 'keep',
      proof: { kind: 'credit_issued', note: 'Service credit applied to the next invoice' },
      recoveryStrength: 'task_closed',
    },
  ],
];
const SOURCES: [Source, number][] = [
  ['success', 30],
  ['support', 30],
  ['sales_handoff', 12],
  ['renewal', 10],
  ['escalation', 8],
  ['survey', 5],
  ['other', 5],
];
const RISKS = [
  'external_vendor_dependency',
  'new_skill',
  'full_refund_guarantee',
  'unclear_scope',
  'several_team_members',
  'customer_input_required',
  'high_demand_season',
];

export function* generateWorkspaceData(spec: GenerateSpec): Generator<GeneratedChunk> {
  const r = rng(spec.seed ?? 42);
  const now = spec.now.getTime();
  const chunkSize = spec.chunkSize ?? 5000;
  const eventsTarget = spec.eventsPerPromise ?? 3.5;
  const ws = spec.workspaceId;
  const iso = (t: number) => new Date(t).toISOString();
  const dateOnly = (t: number) => iso(t).slice(0, 10);

  // People: about one account owner per 100 accounts, a manager per eight.
  const userCount = Math.max(6, Math.ceil(spec.accounts / 100));
  const managerCount = Math.max(2, Math.ceil(userCount / 8));
  const first: GeneratedChunk = {
    users: [],
    accounts: [],
    contacts: [],
    temperatureHistory: [],
    promises: [],
    events: [],
  };
  const managers: string[] = [];
  const members: string[] = [];
  for (let i = 0; i < userCount; i++) {
    const id = r.uuid();
    const isManager = i < managerCount;
    const name = `${r.pick(FIRST)} ${r.pick(LAST)}`;
    first.users.push({
      workspaceId: ws,
      id,
      email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}.${i}@promise-ledger.example`,
      name,
      role: isManager ? 'manager' : r.next() < 0.1 ? 'viewer' : 'member',
      managerId: isManager ? spec.adminId : r.pick(managers),
      active: true,
    });
    if (isManager) managers.push(id);
    else if (first.users[i]!.role === 'member') members.push(id);
  }
  // The admin owns some accounts too, so signing in to the demo shows a real "my day".
  const owners = [spec.adminId, ...managers, ...members];

  const accountOwner: string[] = [];
  const accountIds: string[] = [];
  const accountContacts: { id: string; name: string }[][] = [];
  const accountNames: string[] = [];
  let chunk = first;
  for (let i = 0; i < spec.accounts; i++) {
    const id = r.uuid();
    const tier = r.weighted([
      ['strategic', 5],
      ['enterprise', 20],
      ['mid_market', 40],
      ['smb', 35],
    ] as const);
    const arr = { strategic: 500_000, enterprise: 150_000, mid_market: 40_000, smb: 8_000 }[tier];
    const start = now - r.int(30, 1000) * DAY;
    let renewal = start + 365 * DAY;
    while (renewal < now - 30 * DAY) renewal += 365 * DAY;
    const owner = r.pick(owners);
    const temperature = r.weighted([
      ['warm', 40],
      ['neutral', 30],
      ['strained', 20],
      ['fragile', 10],
    ] as const);
    const name = `${r.pick(CO_A)} ${r.pick(CO_B)}${spec.accounts > 150 ? ` ${i + 1}` : ''}`;
    const tempAt = now - r.int(1, 90) * DAY;
    chunk.accounts.push({
      workspaceId: ws,
      id,
      name,
      domain: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`,
      tier,
      arrMinor: Math.round(arr * (0.5 + r.next())) * 100,
      currency: 'USD',
      contractStart: dateOnly(start),
      renewalDate: dateOnly(renewal),
      lifecycleStage: r.weighted([
        ['land', 15],
        ['adopt', 40],
        ['expand', 25],
        ['renew', 20],
      ] as const),
      ownerId: owner,
      temperature,
      temperatureUpdatedAt: new Date(tempAt),
      lastActivityAt: new Date(now - r.int(0, 40) * DAY - r.int(0, DAY)),
    });
    const history = r.int(1, 3);
    for (let h = history; h >= 1; h--) {
      chunk.temperatureHistory.push({
        workspaceId: ws,
        id: r.uuid(),
        accountId: id,
        temperature: h === 1 ? temperature : r.pick(['warm', 'neutral', 'strained', 'fragile'] as const),
        note: h === 1 ? 'Updated after the last check-in call' : 'Set after the quarterly review',
        setBy: owner,
        setAt: new Date(tempAt - (h - 1) * 30 * DAY),
      });
    }
    const cs: { id: string; name: string }[] = [];
    for (let c = r.int(1, 3); c > 0; c--) {
      const cname = `${r.pick(FIRST)} ${r.pick(LAST)}`;
      const cid = r.uuid();
      cs.push({ id: cid, name: cname });
      chunk.contacts.push({
        workspaceId: ws,
        id: cid,
        accountId: id,
        name: cname,
        email: `${cname.toLowerCase().replace(/[^a-z]+/g, '.')}@${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`,
        title: r.pick(TITLES),
      });
    }
    accountIds.push(id);
    accountOwner.push(owner);
    accountContacts.push(cs);
    accountNames.push(name);
    if (chunk.accounts.length >= chunkSize) {
      yield chunk;
      chunk = { users: [], accounts: [], contacts: [], temperatureHistory: [], promises: [], events: [] };
    }
  }

  const typeKeys = Object.keys(BUILTIN_PROMISE_TYPES) as (keyof typeof BUILTIN_PROMISE_TYPES)[];
  for (let i = 0; i < spec.promises; i++) {
    const a = r.int(0, spec.accounts - 1);
    const contact = r.pick(accountContacts[a]!);
    const typeKey = typeKeys[i % typeKeys.length]!;
    const [text, reason] = r.pick(PROMISE_TEXT[typeKey]);
    const fill = (s: string) =>
      s.replaceAll('{c}', contact.name.split(' ')[0]!).replaceAll('{a}', accountNames[a]!);
    const ownerId = r.next() < 0.75 ? accountOwner[a]! : r.pick(owners);
    const created = now - r.int(1, 150) * DAY + r.int(0, DAY);
    const dueAt = created + r.int(1, 30) * DAY;
    const id = r.uuid();
    const ids = { workspaceId: ws, promiseId: id };
    const risk = r.next() < 0.3 ? [r.pick(RISKS)] : [];
    const createdDecision = decideCreate(
      {
        workspaceId: ws,
        id,
        accountId: accountIds[a]!,
        contactId: contact.id,
        typeKey,
        promiseMade: fill(text),
        customerReason: fill(reason),
        ownerId,
        dueAt: new Date(dueAt),
        emotion: r.next() < 0.9 ? r.pick(EMOTIONS) : null,
        consequence: r.next() < 0.8 ? r.pick(CONSEQUENCES) : null,
        source: r.weighted(SOURCES),
        riskIndicators: risk,
      },
      { id: ownerId, workspaceId: ws, active: true },
    );
    const events: ChainedEvent[] = [];
    let state: PromiseState | undefined;
    const append = (
      type: ChainedEvent['type'],
      payload: ChainedEvent['payload'],
      at: number,
      actorId: string,
    ) => {
      const prev = events[events.length - 1];
      const e = chainEvent(prev && { seq: prev.seq, hash: prev.hash }, {
        workspaceId: ws,
        promiseId: id,
        id: r.uuid(),
        type,
        actorId,
        occurredAt: iso(at),
        payload,
      });
      events.push(e);
      state = evolve(state, { type, payload, occurredAt: new Date(at), actorId }, ids);
    };
    append(createdDecision.type, createdDecision.payload, created, ownerId);
    const act = (cmd: PromiseCommand, at: number, actor = state!.ownerId) => {
      const d = decide(state!, cmd, new Date(at));
      append(d.type, d.payload, at, actor);
    };

    // Decide the outcome first, then spread activity over the promise's life.
    const pastDue = dueAt < now;
    const outcome = pastDue
      ? r.weighted([
          ['kept', 62],
          ['kept_late', 12],
          ['broken', 8],
          ['cancelled', 5],
          ['open', 13],
        ] as const)
      : r.weighted([
          ['open', 85],
          ['kept', 15],
        ] as const);
    const end =
      outcome === 'open'
        ? now
        : outcome === 'kept_late'
          ? Math.min(now, dueAt + r.int(1, 10) * DAY)
          : Math.min(now, Math.max(created + DAY / 4, dueAt - r.int(0, 3) * DAY));
    const span = Math.max(60_000, end - created);
    const extra = Math.max(0, Math.round((eventsTarget - 2.9) * 2 * r.next()));
    const moments = Array.from(
      { length: 6 + extra },
      () => created + Math.floor(r.next() * span * 0.95) + 1000,
    ).sort((x, y) => x - y);
    let m = 0;
    const at = () => moments[Math.min(m++, moments.length - 1)]!;
    if (r.next() < 0.5)
      act({ kind: 'comment', text: `Spoke with ${contact.name}; they are waiting on this.` }, at());
    if (r.next() < 0.1)
      act(
        {
          kind: 'edit',
          changes: { customerReason: `${state!.customerReason} (confirmed on the last call)` },
          reason: 'clarified with the customer',
        },
        at(),
      );
    if (r.next() < 0.15) {
      const newDue = state!.dueAt.getTime() + r.int(2, 10) * DAY;
      act(
        {
          kind: 'renegotiate',
          dueAt: new Date(newDue),
          agreedBy: contact.name,
          reason: 'waiting on a dependency',
        },
        at(),
      );
    }
    const pausing = r.next() < 0.15;
    if (pausing) {
      // Only a customer-caused delay pauses the clock.
      const sample = r.next() < 0.8;
      act(
        {
          kind: 'pause',
          cause: 'customer',
          note: sample
            ? 'waiting for the customer to send sample data'
            : "waiting for the customer's security review",
        },
        at(),
      );
      if (outcome !== 'open' || r.next() < 0.6)
        act({ kind: 'resume', note: sample ? 'sample data received' : 'security review passed' }, at());
    }
    if (r.next() < 0.05 && !state!.pausedAt) {
      const other = r.pick(owners);
      if (other !== state!.ownerId)
        act(
          {
            kind: 'change_owner',
            ownerId: other,
            owner: { id: other, workspaceId: ws, active: true },
            reason: 'account moved to another owner',
          },
          at(),
        );
    }
    for (let k = 0; k < extra; k++)
      act(
        { kind: 'comment', text: `Internal note ${k + 1}: progress reviewed.` },
        at(),
        r.next() < 0.2 ? spec.adminId : state!.ownerId,
      );
    if (outcome === 'kept' || outcome === 'kept_late') act(r.pick(PROOFS)[0], Math.max(at(), end));
    else if (outcome === 'broken')
      act({ kind: 'break', reason: 'the dependency slipped and we could not deliver' }, Math.max(at(), end));
    else if (outcome === 'cancelled')
      act({ kind: 'cancel', reason: 'the customer no longer needs it' }, Math.max(at(), end));

    const last = events[events.length - 1]!;
    chunk.promises.push({ ...state!, version: last.seq, headHash: last.hash });
    for (const e of events) chunk.events.push(e);
    if (chunk.promises.length >= chunkSize) {
      yield chunk;
      chunk = { users: [], accounts: [], contacts: [], temperatureHistory: [], promises: [], events: [] };
    }
  }
  if (chunk.users.length + chunk.accounts.length + chunk.promises.length > 0) yield chunk;
}
