/**
 * Stored computed fields: recomputing them when what they depend on changes.
 *
 *   helpdesk.ticket.priority_level  depends ['priority_id.level']
 *        ▲ write(level) on helpdesk.ticket.priority [7, 9]
 *        └─ search tickets [('priority_id', 'in', [7, 9])] → compute once for all → UPDATE per value
 *
 * A dependency on the record's own field (`priority_id`) recomputes the written records; a
 * dotted one (`priority_id.level`) is a trigger on the model at the end of the path: a change
 * there finds the dependent records through the ORM's own dotted-path search, whatever the
 * length of the path. Computes run as superuser on the whole batch; the column is written
 * with one UPDATE per distinct value.
 */
import { FIELD_TYPES, type Field } from './fields/index.ts';
import { q } from './domain/compile.ts';
import type { Model, ModelClass } from './model.ts';
import type { Registry } from './registry.ts';
import { searchIds } from './search.ts';

/** A stored computed field to recompute when `field` of the trigger model changes. */
interface Trigger {
  /** The changed field on the trigger model. */
  field: string;
  /** The model holding the computed field. */
  model: string;
  computed: Field;
  /** Path from the computed model to the trigger model (`priority_id`). */
  path: string;
}

const triggersCache = new WeakMap<Registry, Map<string, Trigger[]>>();

/** Triggers by model name, built once per registry from the `depends` of stored computes. */
function triggersOf(registry: Registry): Map<string, Trigger[]> {
  let found = triggersCache.get(registry);
  if (found) return found;
  found = new Map();
  for (const cls of registry.all()) {
    for (const computed of cls._meta.fields.values()) {
      if (!computed.compute || !computed.stored) continue;
      for (const dep of computed.depends ?? []) {
        const steps = dep.split('.');
        if (steps.length < 2) continue;
        let current: ModelClass = cls;
        for (const step of steps.slice(0, -1)) {
          const f = current._meta.fields.get(step);
          const next = f?.comodel ? registry.get(f.comodel) : undefined;
          if (!next) throw new Error(`Field ${cls._meta.name}.${computed.name} depends on '${dep}': '${step}' is not a relational field of ${current._meta.name}`);
          current = next;
        }
        const list = found.get(current._meta.name) ?? [];
        list.push({ field: steps[steps.length - 1], model: cls._meta.name, computed, path: steps.slice(0, -1).join('.') });
        found.set(current._meta.name, list);
      }
    }
  }
  triggersCache.set(registry, found);
  return found;
}

/**
 * Recomputes stored computed fields of `records` whose own dependencies changed (all when
 * null), but those of `done` (precomputed at create).
 */
export async function recomputeStored(records: Model, changed: Set<string> | null, done?: Set<string>): Promise<void> {
  if (!records.ids.length) return;
  const due = [...records._meta.fields.values()].filter((f) => f.compute && f.stored && !done?.has(f.name)
    && (!changed || (f.depends ?? []).some((d) => changed.has(d.split('.')[0]))));
  for (const field of due) await storeComputed(records, field);
}

/**
 * After `changed` fields of `records` were written (or the records created): recomputes the
 * stored computed fields of other records (any model) that depend on them through a
 * relational path.
 */
export async function recomputeDependents(records: Model, changed: Set<string> | null): Promise<void> {
  await recomputeFound(records, await findDependents(records, changed));
}

/**
 * Records whose stored computes depend on `records` (on the `changed` fields, or on any
 * field when null) — looked up before the records are deleted, recomputed after.
 */
export async function findDependents(records: Model, changed: Set<string> | null): Promise<Array<[Trigger, number[]]>> {
  if (!records.ids.length) return [];
  const triggers = (triggersOf(records.env.registry).get(records._meta.name) ?? []).filter((t) => !changed || changed.has(t.field));
  const env = records.env.sudo().withContext({ active_test: false });
  const out: Array<[Trigger, number[]]> = [];
  for (const trigger of triggers) {
    const ids = await searchIds(env, env.registry.get(trigger.model)!, [[trigger.path, 'in', records.ids]], { rules: false });
    if (ids.length) out.push([trigger, ids]);
  }
  return out;
}

/** Recomputes what findDependents found (records deleted meanwhile are skipped). */
export async function recomputeFound(records: Model, found: Array<[Trigger, number[]]>): Promise<void> {
  const env = records.env.sudo().withContext({ active_test: false });
  for (const [trigger, ids] of found) {
    const alive = await env.model(trigger.model).browse(ids).exists();
    if (alive.ids.length) await storeComputed(alive, trigger.computed);
  }
}

/** Computes `field` for the whole batch and writes it, one UPDATE per distinct value. */
async function storeComputed(records: Model, field: Field): Promise<void> {
  const values = await field.compute!(records.sudo());
  const byValue = new Map<string, { value: unknown; ids: number[] }>();
  for (const id of records.ids) {
    const value = FIELD_TYPES[field.type].toColumn(values.get(id) ?? null, field);
    const key = JSON.stringify(value ?? null);
    const entry = byValue.get(key) ?? { value, ids: [] };
    entry.ids.push(id);
    byValue.set(key, entry);
  }
  // Written outside write(): what the unit of work remembers of this model goes as well.
  if (byValue.size) records.env.forgetMemo(records._meta.name);
  for (const { value, ids } of byValue.values()) {
    await records.env.cr.raw(`UPDATE ${q(records._meta.table)} SET ${q(field.name)} = ? WHERE id IN (${ids.map(() => '?').join(',')})`, [value ?? null, ...ids] as any);
  }
}
