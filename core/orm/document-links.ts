/**
 * Records attached to a document by (model name, res_id) instead of a foreign key —
 * attachments, messages, followers: models that declare `_documentLinked`. The database
 * cannot cascade such links, so deleting a document removes them here, whichever addon
 * defines them. The core names none of those models.
 */
import { q } from './domain/compile.ts';
import type { Environment } from './environment.ts';
import type { ModelClass } from './model.ts';

/** The column naming the document's model: `res_model`, else `model` (Odoo's name on messages). */
export function documentModelColumn(model: ModelClass): string {
  return model._meta.fields.has('res_model') ? 'res_model' : 'model';
}

/** Deletes the records of every document-linked model that point at `ids` of `modelName`. */
export async function unlinkDocumentLinks(env: Environment, modelName: string, ids: number[]): Promise<void> {
  if (!ids.length) return;
  for (const linked of env.registry.all()) {
    if (!linked._documentLinked || linked._meta.abstract || linked._meta.name === modelName) continue;
    const column = documentModelColumn(linked);
    if (!linked._meta.fields.get(column)?.stored || !linked._meta.fields.get('res_id')?.stored) continue;
    await env.cr.raw(`DELETE FROM ${q(linked._meta.table)} WHERE ${q(column)} = ? AND res_id IN (${ids.map(() => '?').join(',')})`, [modelName, ...ids]);
  }
}
