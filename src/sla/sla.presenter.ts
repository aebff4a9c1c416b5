import { weeklyMinutes } from '../time/calendar.js';
import { type CalendarRow, calendarRecord, type PolicyRow, policyFromRow } from './sla.repo.js';

/** The JSON shape of a calendar: its `calendar` is the same shape the API and the CLI accept. */
export function presentCalendar(row: CalendarRow) {
  return {
    id: row.id,
    name: row.name,
    isDefault: row.isDefault,
    calendar: row.calendar,
    weeklyMinutes: weeklyMinutes(calendarRecord(row).calendar),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentPolicy(row: PolicyRow) {
  const p = policyFromRow(row);
  return {
    id: p.id,
    name: p.name,
    position: p.position,
    fallback: p.isFallback,
    active: p.active,
    match: p.match,
    calendarId: p.calendarId,
    target: p.target,
    checkpoints: p.checkpoints,
    escalation: p.escalation,
    remedySchedule: p.remedySchedule,
    approvalLimitMinor: p.approvalLimitMinor,
    version: p.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
