/**
 * base.external.import.task: an editable query on a database source, imported into a model
 * (SPEC 6). The buttons: "Run import" (`import_run`), "Preview" (`import_preview`),
 * "Schedule import" (`import_schedule`); the shipped scheduled action calls `cron_import_all`.
 *
 *   import_run ─┬─ from the form (context.progress_key): waits for the run, the progress bar
 *               │  follows it (reportProgress), the form then shows the counters
 *               ├─ over the API on a PostgreSQL server: starts the run after this call's
 *               │  transaction commits and returns at once; the log record appears at the end
 *               └─ on embedded PGlite (one connection): runs inside the call
 */
import { fields, model, SUPERUSER_ID, UserError } from '../../../core/orm/index.ts';
import { onPostgresServer } from '../../../core/db/index.ts';
import { logger } from '../../../core/logger.ts';
import { DEFAULT_QUERY } from '../import/mapping.ts';
import { runImport, type RunOutcome } from '../import/run.ts';
import { _t } from '../tools.ts';

const TASK = 'base.external.import.task';

export const BaseExternalImportTask = model((Base) => class extends Base {
  static _name = TASK;
  static _description = 'External Import Task';
  static _order = 'exec_order, id';
  static fields = {
    name: fields.char({ string: 'Name', required: true }),
    enabled: fields.boolean({ string: 'Enabled', default: true, help: 'Run by the scheduled action "Zammad: import tickets"' }),
    dbsource_id: fields.many2one('base.external.dbsource', { string: 'Database Source', required: true, ondelete: 'restrict', help: 'The Zammad PostgreSQL database' }),
    sql_source: fields.text({
      string: 'SQL Query', required: true, default: DEFAULT_QUERY,
      help: 'Each column named like a ticket field is written to it; known Zammad columns (zammad_id, title, state_type, priority, customer_email, owner_email, group_name, updated_at…) are translated. %(last_sync)s is the last synchronisation date.',
    }),
    model_target: fields.char({ string: 'Target Model', required: true, default: 'helpdesk.ticket' }),
    exec_order: fields.integer({ string: 'Execution Order', default: 10, help: 'Tasks run by the scheduled action in this order' }),
    last_sync: fields.datetime({ string: 'Last Sync', help: 'Rows changed since this date (Zammad updated_at) are read by the next run; empty = everything' }),
    start_run: fields.datetime({ string: 'Run Started', readonly: true }),
    last_run: fields.datetime({ string: 'Last Run', readonly: true }),
    last_record_count: fields.integer({ string: 'Records Imported', readonly: true }),
    last_error_count: fields.integer({ string: 'Errors', readonly: true }),
    last_warn_count: fields.integer({ string: 'Warnings', readonly: true }),
    last_log: fields.text({ string: 'Last Log', readonly: true }),
    zammad_url: fields.char({ string: 'Zammad URL', help: 'Address of the Zammad web interface, e.g. https://support.example.com (for "Open in Zammad")' }),
    log_ids: fields.one2many('base.external.import.log', 'import_id', { string: 'Runs' }),
    cron_id: fields.many2one('ir.cron', { string: 'Scheduled Action', readonly: true, ondelete: 'set null', copy: false }),
  };
  static _rpc = {
    import_run: 'records' as const,
    import_preview: 'records' as const,
    import_schedule: 'records' as const,
  };
  /** Methods the scheduler may call. */
  static _cron = ['cron_import_all', 'cron_import_task'];

  /** "Run import": see the diagram at the top of this file. */
  async import_run(): Promise<Record<string, unknown>> {
    await this.check_access_rights('write');
    await this.checkAccessRule('write');
    const pgServer = onPostgresServer(this.env.cr);
    if (pgServer && !this.env.context.progress_key) {
      for (const id of this.ids) {
        const env = this.env;
        env.afterCommit(() => {
          void runImport(env, id).catch((err) => logger.error(`Zammad import task ${id}: ${err?.stack ?? err}`));
        });
      }
      return notification('info', _t(this.env, 'Import started'), _t(this.env, 'The run goes on in the background; its log appears under Runs when it ends.'));
    }
    const outcomes: RunOutcome[] = [];
    for (const id of this.ids) outcomes.push(await runImport(this.env, id));
    return this._runNotification(outcomes);
  }

  _runNotification(outcomes: RunOutcome[]): Record<string, unknown> {
    const env = this.env;
    if (outcomes.some((o) => o.status === 'busy')) return notification('warning', _t(env, 'Import already running'), _t(env, 'Another run of this task has not finished yet; try again when it ends.'));
    const sum = (k: 'imported' | 'errors' | 'warnings' | 'messages') => outcomes.reduce((n, o) => n + o[k], 0);
    const failed = outcomes.some((o) => o.status === 'failed');
    const message = _t(env, '%s tickets imported, %s messages, %s errors, %s warnings.', sum('imported'), sum('messages'), sum('errors'), sum('warnings'));
    return notification(failed ? 'danger' : sum('errors') ? 'warning' : 'success', failed ? _t(env, 'Import failed') : _t(env, 'Import finished'), failed ? `${message} ${_t(env, 'See the log.')}` : message);
  }

  /** "Preview": the first rows of the query, mapped, in a dialog; nothing is written to tickets. */
  async import_preview(): Promise<Record<string, unknown>> {
    this.ensureOne();
    await this.check_access_rights('write');
    await this.checkAccessRule('write');
    const wizard = await this.env.model('base.external.import.preview').create({ task_id: this.ids[0] });
    await (wizard as any).compute_preview();
    const view = await this.env.xmlidLookup('base_external_import_zammad.view_base_external_import_preview_form');
    return {
      type: 'ir.actions.act_window', name: _t(this.env, 'Import Preview'), res_model: 'base.external.import.preview', res_id: wizard.ids[0],
      view_mode: 'form', views: [[view?.id ?? false, 'form']], target: 'new',
    };
  }

  /** "Schedule import": the task's own scheduled action (every 5 minutes), created the first time. */
  async import_schedule(): Promise<Record<string, unknown>> {
    this.ensureOne();
    await this.check_access_rights('write');
    await this.checkAccessRule('write');
    const [task] = await this.read(['name', 'cron_id']);
    let cronId = Array.isArray(task.cron_id) ? Number(task.cron_id[0]) : 0;
    if (cronId && !(await this.env.model('ir.cron').sudo().browse([cronId]).exists()).length) cronId = 0;
    if (!cronId) {
      const modelRow = await this.env.cr('ir_model').where({ model: TASK }).first('id');
      const cron = await this.env.model('ir.cron').sudo().create({
        name: _t(this.env, 'Zammad: import "%s"', task.name), model_id: Number(modelRow.id), method: 'cron_import_task', args: `(${this.ids[0]},)`,
        user_id: SUPERUSER_ID, interval_number: 5, interval_type: 'minutes', numbercall: -1, active: true,
      });
      cronId = cron.ids[0];
      await this.env.cr('base_external_import_task').where({ id: this.ids[0] }).update({ cron_id: cronId });
    }
    return { type: 'ir.actions.act_window', name: _t(this.env, 'Scheduled Actions'), res_model: 'ir.cron', res_id: cronId, view_mode: 'form', views: [[false, 'form']], target: 'current' };
  }

  /** Scheduled action "Zammad: import tickets": every enabled task, in execution order. */
  async cron_import_all(): Promise<number> {
    const tasks = await this.env.cr('base_external_import_task').where({ enabled: true }).orderBy([{ column: 'exec_order' }, { column: 'id' }]).select('id');
    for (const t of tasks) await runImport(this.env, Number(t.id));
    return tasks.length;
  }

  /** A task's own scheduled action (import_schedule): runs it when enabled. */
  async cron_import_task(task_id: unknown): Promise<boolean> {
    const id = Number(task_id);
    if (!Number.isInteger(id) || id <= 0) throw new UserError(_t(this.env, 'Invalid import task id %s.', JSON.stringify(task_id)));
    const row = await this.env.cr('base_external_import_task').where({ id }).first('enabled');
    if (!row) throw new UserError(_t(this.env, 'The import task %s does not exist any more.', id));
    if (!row.enabled) return false;
    await runImport(this.env, id);
    return true;
  }
});

function notification(type: 'success' | 'warning' | 'danger' | 'info', title: string, message: string): Record<string, unknown> {
  return { type: 'ir.actions.client', tag: 'display_notification', params: { type, title, message, sticky: type === 'danger' } };
}
