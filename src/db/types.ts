/**
 * Both drivers must hand the application the same JS values: int8 and numeric as numbers
 * (never strings), dates as 'YYYY-MM-DD' strings (never a Date at local midnight).
 */
export const OID = { INT8: 20, NUMERIC: 1700, DATE: 1082 } as const;

export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
}

export const parseNumeric = (value: string): number => Number(value);
export const parseDate = (value: string): string => value;
