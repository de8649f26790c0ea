/**
 * Evaluation of the Python expressions found in views and actions — modifiers
 * (`invisible="state != 'closed'"`, `readonly`, `required`, `column_invisible`),
 * `decoration-*` row classes, field `domain`/`context`/`options`, action domains and contexts —
 * with the shared evaluator (`core/data/literal-eval.ts`). Pure, Node-testable.
 */
import { evaluate, pythonTruthy } from '../../../../core/data/literal-eval.ts';
import { dateScope } from './py-dates.ts';
import { normalizeDomain } from '../../../../core/orm/domain/index.ts';
import type { Context, Domain, FieldsInfo, RecordValues } from './types.ts';

export type Scope = Record<string, unknown>;

/** Names every evaluation sees: `uid`, `context`, and the date helpers of `py-dates.ts`. */
export function baseScope(context: Context, now?: () => Date): Scope {
  return { ...dateScope(now), uid: context.uid ?? false, context, active_id: context.active_id ?? false, active_ids: context.active_ids ?? [], active_model: context.active_model ?? false };
}

/** A record's values as Odoo exposes them to modifiers: many2one → id, x2many → id list. */
export function recordScope(values: RecordValues, fields: FieldsInfo, base: Scope, parent?: Scope): Scope {
  const scope: Scope = Object.create(base);
  for (const name of Object.keys(fields)) scope[name] = false;
  for (const [name, value] of Object.entries(values)) scope[name] = scopeValue(value);
  scope.id = values.id ?? false;
  if (parent) scope.parent = parent;
  return scope;
}

function scopeValue(value: unknown): unknown {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string') return value[0];
  if (value && typeof value === 'object' && 'rows' in value && Array.isArray((value as { rows: unknown[] }).rows)) {
    return (value as { rows: Array<{ id: number | null }> }).rows.map((r) => r.id).filter((id) => id !== null);
  }
  return value ?? false;
}

/** Evaluates `src`; a broken expression is reported on the console and counts as `fallback`. */
export function evalExpr(src: string, scope: Scope, fallback: unknown = false): unknown {
  try {
    return evaluate(src, scope);
  } catch (err) {
    console.error(`Cannot evaluate ${JSON.stringify(src)}: ${(err as Error).message}`);
    return fallback;
  }
}

/** A modifier attribute: absent or empty → false; otherwise Python truthiness of the expression. */
export function evalBool(src: string | undefined, scope: Scope): boolean {
  if (src === undefined || src.trim() === '') return false;
  return pythonTruthy(evalExpr(src, scope));
}

export interface Modifiers { invisible: boolean; readonly: boolean; required: boolean }

export function evalModifiers(attrs: Record<string, string>, scope: Scope): Modifiers {
  return { invisible: evalBool(attrs.invisible, scope), readonly: evalBool(attrs.readonly, scope), required: evalBool(attrs.required, scope) };
}

const DECORATIONS = ['bf', 'it', 'danger', 'warning', 'success', 'info', 'muted', 'primary'];

/** `decoration-danger="state == 'new'"` → `['danger']` when true for the record. */
export function decorations(attrs: Record<string, string>, scope: Scope): string[] {
  return DECORATIONS.filter((d) => attrs[`decoration-${d}`] !== undefined && evalBool(attrs[`decoration-${d}`], scope));
}

/** Dates and other objects inside evaluated values become their JSON wire form. */
function toWire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value ?? null)) as T;
}

/** An action/field/filter domain (list or Python string) → normalised domain. */
export function evalDomain(domain: Domain | string | false | null | undefined, scope: Scope): Domain {
  if (!domain) return [];
  const value = typeof domain === 'string' ? evaluate(domain, scope) : domain;
  if (!Array.isArray(value)) throw new Error(`A domain must be a list, got ${JSON.stringify(domain)}`);
  return normalizeDomain(toWire(value) as Domain) as Domain;
}

/** An action/button/filter context (dict or Python string) → object. */
export function evalContext(context: Context | string | false | null | undefined, scope: Scope): Context {
  if (!context) return {};
  const value = typeof context === 'string' ? evaluate(context, scope) : context;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`A context must be a dict, got ${JSON.stringify(context)}`);
  }
  return toWire(value as Context);
}

/** `options="{'no_create': True}"` → `{no_create: true}`; broken options are reported, then ignored. */
export function evalOptions(src: string | undefined): Record<string, unknown> {
  if (!src) return {};
  const value = evalExpr(src, {}, {});
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * What a form locks beyond the arch's own modifiers: `'none'`; `'all'` (a record that may not
 * be edited, a call running); `'unless-granted'` — the user may not write the model, so only
 * fields whose node decides by its own `readonly` modifier, and says "editable" for this
 * record, stay editable (the reporter's rating of her closed ticket, which the server accepts
 * through the model's own rules).
 */
export type FieldLock = 'none' | 'all' | 'unless-granted';

export interface FieldNodeState extends Modifiers {
  domain: Domain;
  context: Context;
  options: Record<string, unknown>;
}

/**
 * Everything a `<field>` node's widget needs that depends on the record: the modifiers (an
 * arch `readonly`/`required` overrides the field's own flag), its domain, context and options.
 * `lock` limits editing beyond the arch (see `FieldLock`); `true` is `'all'`.
 */
export function fieldNodeState(attrs: Record<string, string>, field: { readonly?: boolean; required?: boolean }, scope: Scope, lock: FieldLock | boolean = 'none'): FieldNodeState {
  const readonly = attrs.readonly !== undefined ? evalBool(attrs.readonly, scope) : !!field.readonly;
  const granted = attrs.readonly !== undefined && !readonly;
  const locked = lock === true || lock === 'all' || (lock === 'unless-granted' && !granted);
  const required = attrs.required !== undefined ? evalBool(attrs.required, scope) : !!field.required;
  let domain: Domain = [];
  let context: Context = {};
  try {
    domain = evalDomain(attrs.domain, scope);
    context = evalContext(attrs.context, scope);
  } catch (err) {
    console.error(`Bad domain or context on field ${attrs.name}: ${(err as Error).message}`);
  }
  return { invisible: evalBool(attrs.invisible, scope), readonly: locked || readonly, required, domain, context, options: evalOptions(attrs.options) };
}
