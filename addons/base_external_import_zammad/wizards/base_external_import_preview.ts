/**
 * "Preview" of an import task (SPEC 4.5): runs the query on its first rows without writing
 * any ticket, and shows which field each column goes to, the translated values (state by
 * type, priority, reporter and technician found or to be created, category) and the warnings.
 */
import { fields, model, rowsOf, type Environment } from '../../../core/orm/index.ts';
import { KNOWN_COLUMNS, mapRow, planColumns, type MappedTicket } from '../import/mapping.ts';
import { bareQuery, targetFields } from '../import/run.ts';
import { executeQuery } from '../import/source.ts';
import { describeDbError } from '../import/writer.ts';
import { _t, escapeHtml } from '../tools.ts';

export const PREVIEW_ROWS = 10;

export const BaseExternalImportPreview = model((Base) => class extends Base {
  static _name = 'base.external.import.preview';
  static _description = 'Import Preview';
  static _transient = true;
  static fields = {
    task_id: fields.many2one('base.external.import.task', { string: 'Import Task', required: true, ondelete: 'cascade' }),
    row_count: fields.integer({ string: 'Rows to import', readonly: true }),
    mapping_html: fields.html({ string: 'Columns', readonly: true }),
    rows_html: fields.html({ string: 'First rows', readonly: true }),
    warnings: fields.text({ string: 'Warnings', readonly: true }),
  };
  static _rpc = { compute_preview: 'records' as const };

  async compute_preview(): Promise<boolean> {
    this.ensureOne();
    const [w] = await this.read(['task_id']);
    const taskId = Array.isArray(w.task_id) ? Number(w.task_id[0]) : 0;
    const task = await this.env.cr('base_external_import_task').where({ id: taskId }).first('dbsource_id', 'sql_source', 'last_sync');
    const env = this.env;
    const warnings: string[] = [];
    let mappingHtml = '';
    let rowsHtml = '';
    let rowCount = 0;
    try {
      const query = bareQuery(task?.sql_source ?? '');
      const params = { last_sync: task?.last_sync ? String(task.last_sync) : '1970-01-01 00:00:00' };
      const sourceId = Number(task?.dbsource_id);
      const count = await executeQuery(env, sourceId, `SELECT count(*) AS n FROM (${query}) AS zammad_rows`, params);
      rowCount = Number(count.rows[0]?.[0] ?? 0);
      const result = await executeQuery(env, sourceId, `SELECT * FROM (${query}) AS zammad_rows LIMIT ${PREVIEW_ROWS}`, params);
      const plan = planColumns(result.cols, targetFields(env, 'helpdesk.ticket'));
      warnings.push(...plan.errors);
      const label = (f: string) => env.registry.translate(env.lang, env.registry.get('helpdesk.ticket')?._meta.fields.get(f)?.string ?? f);
      const target: Record<string, string> = {
        zammad_id: label('zammad_id'), number: label('zammad_number'), title: label('subject'), state: label('state'), state_type: label('state'),
        priority: label('priority_id'), group_name: label('category_id'), customer_email: label('partner_id'), firstname: label('partner_id'),
        lastname: label('partner_id'), phone: label('partner_id'), mobile: label('partner_id'), customer_organization: label('partner_id'),
        owner_email: label('user_id'), owner_firstname: label('user_id'), owner_lastname: label('user_id'), created_at: label('create_date'),
        updated_at: _t(env, 'Last Sync'), close_at: label('close_date'),
      };
      const lines = result.cols.map((col) => {
        const direct = plan.direct.find((d) => d.column === col);
        const dest = col in KNOWN_COLUMNS ? target[col] : direct ? label(direct.field.name) : null;
        if (!dest) warnings.push(_t(env, 'Column "%s" is neither a known Zammad column nor a field of helpdesk.ticket: ignored', col));
        return `<tr><td>${escapeHtml(col)}</td><td>${dest ? escapeHtml(dest) : `<em>${escapeHtml(_t(env, 'ignored'))}</em>`}</td></tr>`;
      });
      mappingHtml = `<table class="table"><thead><tr><th>${escapeHtml(_t(env, 'Column'))}</th><th>${escapeHtml(_t(env, 'Field'))}</th></tr></thead><tbody>${lines.join('')}</tbody></table>`;
      if (!plan.errors.length) rowsHtml = await previewRows(env, result.rows.map((r) => mapRow(plan, r)), warnings, label);
    } catch (err) {
      warnings.push(_t(env, 'The query failed: %s', describeDbError(err)));
    }
    await this.write({ row_count: rowCount, mapping_html: mappingHtml || false, rows_html: rowsHtml || false, warnings: warnings.join('\n') || false });
    return true;
  }
});

async function previewRows(env: Environment, mapped: Array<MappedTicket | { error: string; zammadId: number | null }>, warnings: string[], label: (f: string) => string): Promise<string> {
  const stateLabel = (s: string) => env.registry.translate(env.lang, (env.registry.get('helpdesk.ticket')?._meta.fields.get('state')?.selection ?? []).find(([k]) => k === s)?.[1] ?? s);
  const priorities = new Map(rowsOf(await env.cr.raw("SELECT DISTINCT ON (level) level, name->>'en_US' AS name FROM helpdesk_ticket_priority WHERE active ORDER BY level, id")).map((r: any) => [Number(r.level), String(r.name)]));
  const found = async (sql: string, value: string | null, times = 1) => (value ? rowsOf(await env.cr.raw(sql, Array(times).fill(value)))[0]?.name as string | undefined : undefined);
  const cell = (s: string) => `<td>${escapeHtml(s)}</td>`;
  const body: string[] = [];
  for (const m of mapped) {
    if ('error' in m) {
      warnings.push(`${_t(env, 'Zammad ticket %s', m.zammadId ?? '?')}: ${m.error}`);
      continue;
    }
    for (const w of m.warnings) warnings.push(`${_t(env, 'Zammad ticket %s', m.zammadId)}: ${w}`);
    const reporter = m.customer
      ? (m.customer.email
        ? await found('SELECT name FROM res_partner WHERE lower(btrim(email)) = ? ORDER BY active DESC, id LIMIT 1', m.customer.email)
        : await found("SELECT name FROM res_partner WHERE name = ? AND coalesce(btrim(email), '') = '' ORDER BY id LIMIT 1", m.customer.name))
      : undefined;
    const tech = m.owner?.email
      ? await found('SELECT u.name FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE lower(btrim(u.login)) = ? OR lower(btrim(p.email)) = ? ORDER BY u.id LIMIT 1', m.owner.email, 2)
      : undefined;
    const category = m.group ? await found("SELECT name->>'en_US' AS name FROM helpdesk_ticket_category WHERE lower(name->>'en_US') = lower(?) LIMIT 1", m.group) : undefined;
    const isNew = (s: string) => _t(env, 'new: %s', s);
    body.push(`<tr>${[
      String(m.zammadId), m.values.subject, stateLabel(m.values.state), priorities.get(m.values.priorityLevel) ?? String(m.values.priorityLevel),
      m.customer ? reporter ?? isNew(m.customer.email ? `${m.customer.name} <${m.customer.email}>` : m.customer.name) : '',
      m.owner ? tech ?? isNew(m.owner.email ?? '') : _t(env, 'unassigned'),
      m.group ? category ?? isNew(m.group) : '',
    ].map(cell).join('')}</tr>`);
  }
  const head = ['Zammad ID', label('subject'), label('state'), label('priority_id'), label('partner_id'), label('user_id'), label('category_id')];
  return `<table class="table"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}
