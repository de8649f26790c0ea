/**
 * The Zammad side of helpdesk.ticket: which Zammad ticket (and source) a ticket comes from,
 * unique per source (index created at install), and "Open in Zammad".
 */
import { fields, model, UserError, type ComputeFn } from '../../../core/orm/index.ts';
import { _t } from '../tools.ts';

/** `<zammad_url>/#ticket/zoom/<id>` from the import task of the ticket's source that has a URL. */
const computeZammadLink: ComputeFn = async (records) => {
  const out = new Map<number, unknown>(records.ids.map((id) => [id, false]));
  const rows = await records.env.cr('helpdesk_ticket as t')
    .join('base_external_import_task as k', 'k.dbsource_id', 't.zammad_source_id')
    .whereIn('t.id', records.ids).whereNotNull('t.zammad_id').whereNotNull('k.zammad_url').where('k.zammad_url', '<>', '')
    .orderBy('k.id').select('t.id', 't.zammad_id', 'k.zammad_url');
  for (const r of rows) if (out.get(Number(r.id)) === false) out.set(Number(r.id), `${String(r.zammad_url).replace(/\/+$/, '')}/#ticket/zoom/${r.zammad_id}`);
  return out;
};

export const HelpdeskTicketZammad = model((Base) => class extends Base {
  static _inherit = 'helpdesk.ticket';
  static fields = {
    // Neither has an index of its own: the importer looks tickets up by both, through the
    // unique index (zammad_source_id, zammad_id) made at install (one index less to update
    // per imported ticket; many2one fields get one by default).
    zammad_id: fields.integer({ string: 'Zammad ID', readonly: true, copy: false, help: 'The id of the ticket in Zammad, for imported tickets' }),
    zammad_source_id: fields.many2one('base.external.dbsource', { string: 'Zammad Source', index: false, readonly: true, copy: false, ondelete: 'set null' }),
    zammad_number: fields.char({ string: 'Zammad Number', readonly: true, copy: false }),
    zammad_link: fields.char({ string: 'Zammad Link', compute: computeZammadLink }),
  };
  static _rpc = { action_open_zammad: 'records' as const };

  /** "Open in Zammad": the ticket in Zammad's web interface, in a new tab. */
  async action_open_zammad(): Promise<Record<string, unknown>> {
    this.ensureOne();
    const [t] = await this.read(['zammad_link']);
    if (!t.zammad_link) throw new UserError(_t(this.env, 'This ticket was not imported from Zammad, or its import task has no Zammad URL.'));
    return { type: 'ir.actions.act_url', url: t.zammad_link, target: 'new' };
  }
});
