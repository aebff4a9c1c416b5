import type { accounts, accountTemperatureHistory } from '../db/schema.js';

export type AccountRow = typeof accounts.$inferSelect;
export type TemperatureEntryRow = typeof accountTemperatureHistory.$inferSelect;

export interface PromiseCounts {
  open: number;
  overdue: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The one JSON shape of an account; `promises` (open/overdue counts) only where it was computed. */
export function presentAccount(a: AccountRow, counts?: PromiseCounts) {
  return {
    id: a.id,
    workspaceId: a.workspaceId,
    name: a.name,
    domain: a.domain,
    externalId: a.externalId,
    tier: a.tier,
    arrMinor: a.arrMinor,
    currency: a.currency,
    contractStart: a.contractStart,
    renewalDate: a.renewalDate,
    lifecycleStage: a.lifecycleStage,
    ownerId: a.ownerId,
    temperature: a.temperature,
    temperatureUpdatedAt: iso(a.temperatureUpdatedAt),
    lastActivityAt: iso(a.lastActivityAt),
    createdAt: iso(a.createdAt),
    ...(counts ? { promises: counts } : {}),
  };
}

export function presentTemperatureEntry(e: TemperatureEntryRow) {
  return {
    id: e.id,
    accountId: e.accountId,
    temperature: e.temperature,
    note: e.note,
    setBy: e.setBy,
    setAt: e.setAt.toISOString(),
  };
}
