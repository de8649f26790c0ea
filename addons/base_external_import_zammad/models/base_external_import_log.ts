import { fields, model } from '../../../core/orm/index.ts';

export const RUN_STATUSES = [['done', 'Done'], ['failed', 'Failed']] as const;

/** One record per finished run of an import task: its counters, start and end, and its log. */
export const BaseExternalImportLog = model((Base) => class extends Base {
  static _name = 'base.external.import.log';
  static _description = 'External Import Log';
  static _order = 'id desc';
  static _rec_name = 'start_run';
  static fields = {
    import_id: fields.many2one('base.external.import.task', { string: 'Import Task', required: true, index: true, ondelete: 'cascade' }),
    start_run: fields.datetime({ string: 'Started', readonly: true }),
    end_run: fields.datetime({ string: 'Ended', readonly: true }),
    status: fields.selection(RUN_STATUSES, { string: 'Result', readonly: true }),
    record_count: fields.integer({ string: 'Records imported', readonly: true }),
    error_count: fields.integer({ string: 'Errors', readonly: true }),
    warn_count: fields.integer({ string: 'Warnings', readonly: true }),
    log: fields.text({ string: 'Log', readonly: true }),
  };
});
