import type { promiseTypes } from '../db/schema.js';

export type PromiseTypeRow = typeof promiseTypes.$inferSelect;

/** The one JSON shape of a promise type. */
export function presentPromiseType(t: PromiseTypeRow) {
  return { key: t.key, label: t.label, builtin: t.builtin, active: t.active };
}
