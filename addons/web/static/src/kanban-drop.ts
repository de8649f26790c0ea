/**
 * `on_drop` of a kanban arch: where a column's value changes only through actions (a
 * ticket's state), dropping a card runs the action instead of writing the value. A Python
 * dict from the target column's value to a method, or to a dict from the card's current
 * column to a method:
 *
 *   on_drop="{'open': {'new': 'action_open', 'pending': 'action_open', 'closed': 'action_reopen'},
 *             'pending': 'action_wait', 'closed': 'action_solve_wizard'}"
 *
 * A target missing from the dict (or a source missing from its inner dict) has no action:
 * the drop is refused. Pure, Node-testable.
 */
import { evalExpr } from './modifiers.ts';

export type DropActions = Record<string, string | Record<string, string>>;

/** Parses the attribute; absent or not a dict of method names → null (a plain drag writes the value). */
export function parseDropActions(src: string | undefined): DropActions | null {
  if (!src) return null;
  const value = evalExpr(src, {}, null);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const out: DropActions = {};
  for (const [to, spec] of Object.entries(value as Record<string, unknown>)) {
    if (typeof spec === 'string') out[to] = spec;
    else if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
      out[to] = Object.fromEntries(Object.entries(spec as Record<string, unknown>).filter(([, m]) => typeof m === 'string')) as Record<string, string>;
    }
  }
  return out;
}

/** The method a drop from column value `from` onto `to` runs, or null when none leads there. */
export function dropMethod(actions: DropActions, from: unknown, to: unknown): string | null {
  const spec = actions[String(to)];
  if (!spec) return null;
  if (typeof spec === 'string') return spec;
  return spec[String(from)] ?? null;
}
