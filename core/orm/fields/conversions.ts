/** Small shared helpers for field value conversions. */
import { err, ValidationError } from '../../errors.ts';
import type { Field } from './field.ts';

export function typeError(field: Field, value: unknown, expected: string): ValidationError {
  let shown: string;
  try { shown = JSON.stringify(value) ?? String(value); } catch { shown = String(value); }
  if (shown.length > 60) shown = shown.slice(0, 57) + '...';
  return err(ValidationError, 'Wrong value for %s.%s: expected %s, got %s', field.modelName, field.name, expected, shown);
}
export const isEmpty = (v: unknown) => v === false || v === null || v === undefined;
export const COMPARE_OPS = new Set(['=', '!=', '>', '>=', '<', '<=', 'in', 'not in']);
export const TEXT_OPS = new Set([...COMPARE_OPS, 'like', 'ilike', 'not like', 'not ilike', '=like', '=ilike']);
export const pad = (n: number, w = 2) => String(n).padStart(w, '0');
