/**
 * CSV export of list rows, built on the client from the rows' display values (RFC 4180:
 * CRLF, double quotes doubled). Cells that a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@` …) are prefixed with `'` unless they are plain numbers.
 */
import { formatValue, type FormatOptions } from './format.ts';
import type { FieldInfo, RecordValues } from './types.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)$/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) && !NUMBER.test(value.trim()) ? `'${value}` : value;
  return /[",\r\n;]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Header row + rows → CSV text. */
export function buildCsv(header: string[], rows: string[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export interface CsvColumn {
  field: FieldInfo;
  label: string;
}

/** CSV of records for the visible columns, with the same texts the list shows. */
export function recordsToCsv(columns: CsvColumn[], records: RecordValues[], opts: (f: FieldInfo) => FormatOptions = () => ({})): string {
  return buildCsv(
    columns.map((c) => c.label),
    records.map((r) => columns.map((c) => formatValue(r[c.field.name], c.field, opts(c.field)))),
  );
}
