import { triggerCronRecords } from '../../../core/cron/index.ts';
import { fields, model } from '../../../core/orm/index.ts';

/** Scheduled actions; the runner is core/cron/scheduler.ts. */
export const IrCron = model((Base) => class extends Base {
  static _name = 'ir.cron';
  static _description = 'Scheduled Actions';
  static _order = 'priority, name, id';
  static fields = {
    name: fields.char({ string: 'Name', required: true, translate: true }),
    model_id: fields.many2one('ir.model', { string: 'Model', required: true, ondelete: 'cascade' }),
    model_name: fields.related('model_id.model', { string: 'Model Name' }),
    method: fields.char({ string: 'Method', required: true, help: 'A method of the model declared callable (in _rpc or _cron)' }),
    args: fields.char({ string: 'Arguments', default: '()', help: 'Python-literal tuple of arguments' }),
    user_id: fields.many2one('res.users', { string: 'Scheduler User', required: true, default: () => 1, ondelete: 'restrict' }),
    interval_number: fields.integer({ string: 'Interval Number', default: 1, help: 'Repeat every x.' }),
    interval_type: fields.selection([['minutes', 'Minutes'], ['hours', 'Hours'], ['days', 'Days'], ['weeks', 'Weeks'], ['months', 'Months']], { string: 'Interval Unit', default: 'months' }),
    nextcall: fields.datetime({ string: 'Next Execution Date', required: true, default: () => new Date(), index: true }),
    lastcall: fields.datetime({ string: 'Last Execution Date', readonly: true }),
    numbercall: fields.integer({ string: 'Number of Calls', default: -1, help: 'How many times the method is called; a negative number means forever.' }),
    doall: fields.boolean({ string: 'Repeat Missed', default: false }),
    priority: fields.integer({ string: 'Priority', default: 5 }),
    active: fields.boolean({ string: 'Active', default: true }),
    last_error: fields.text({ string: 'Last Error', readonly: true }),
    failure_count: fields.integer({ string: 'Failure Count', readonly: true, default: 0 }),
  };
  static _rpc = { method_direct_trigger: 'records' as const };

  /** "Run manually": runs the jobs now as their users, in this transaction (errors reach the caller). */
  async method_direct_trigger(): Promise<boolean> {
    await this.check_access_rights('write');
    await this.checkAccessRule('write');
    return triggerCronRecords(this.env, this.ids);
  }
});
