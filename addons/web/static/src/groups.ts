/**
 * Reading `read_group` rows: the value, the label and the count of a group, whatever the
 * group-by spec (`state`, `user_id`, `create_date:month`) and laziness. Pure.
 */
import { selectionLabel } from './format.ts';
import { _t } from './i18n.ts';
import type { FieldsInfo, ReadGroupRow } from './types.ts';

export function groupField(spec: string): string {
  return spec.split(':')[0];
}

/** The raw group value: `[id, name]` for many2one, the period label for dates, false for none. */
export function groupValue(row: ReadGroupRow, spec: string): unknown {
  return row[spec] !== undefined ? row[spec] : row[groupField(spec)];
}

/** Record count of a group (lazy `<field>_count`, or `__count`). */
export function groupCount(row: ReadGroupRow, spec: string): number {
  const n = row[`${groupField(spec)}_count`] ?? row[`${spec}_count`] ?? row.__count;
  return typeof n === 'number' ? n : 0;
}

export function groupLabel(value: unknown, spec: string, fields: FieldsInfo): string {
  const field = fields[groupField(spec)];
  if (value === false || value === null || value === undefined) return field?.type === 'boolean' ? _t('No') : _t('None');
  if (Array.isArray(value)) return String(value[1]);
  if (field?.type === 'selection') return selectionLabel(field, value);
  if (field?.type === 'boolean') return value ? _t('Yes') : _t('No');
  return String(value);
}

/** A stable key of a group value for maps and rendering. */
export function groupKey(value: unknown): string {
  return Array.isArray(value) ? String(value[0]) : JSON.stringify(value ?? false);
}

/** The `fields` argument of read_group for these measures (`__count` alone counts). */
export function readGroupFields(measures: Array<{ name: string; aggregator: string }>): string[] {
  return measures.length ? measures.map((m) => `${m.name}:${m.aggregator}`) : ['__count'];
}
