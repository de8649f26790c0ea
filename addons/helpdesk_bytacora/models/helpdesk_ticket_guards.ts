/**
 * helpdesk.ticket, who may give or change what (SPEC 4.3). Users file tickets in their own
 * name with a subject, a description and files, and change nothing afterwards (they act
 * through the workflow's methods, which check and then write as sudo); fields the workflow
 * sets are refused at creation; subject, description and files are frozen once created;
 * `state` moves only through the actions; technicians write category, project, priority,
 * department and tags. sudo() skips all of this.
 */
import { AccessError, model, UserError, ValidationError, type Vals } from '../../../core/orm/index.ts';
import { fieldLabel, helpdeskRole, isStaff, m2oId, userPartnerId, type HelpdeskRole } from '../tools.ts';
import { _t } from '../../../core/i18n/index.ts';
import { TICKET_FIELD_NAMES, TICKET_MODEL as MODEL, type TicketBase } from './helpdesk_ticket.ts';

/** Frozen once the ticket exists (except for sudo). */
const IMMUTABLE_FIELDS = ['subject', 'description', 'attachment_ids'];
/** What technicians and admins may write directly. */
const STAFF_EDITABLE_FIELDS = ['category_id', 'project_id', 'priority_id', 'department_id', 'tag_ids'];
/** Set by the workflow only: refused in create() unless empty or the default. */
const WORKFLOW_FIELDS = ['number', 'state', 'solution', 'close_date', 'date_pending', 'rating', 'rating_comment', 'parent_id', 'merged_into_id'];
/** What a user (reporter) gives when filing a ticket. */
const USER_CREATE_FIELDS = ['subject', 'description', 'attachment_ids', 'partner_id', 'origin'];

export const HelpdeskTicketGuards = model((Base) => class extends Base {
  static _inherit = MODEL;
  declare _categoryTechnician: TicketBase['_categoryTechnician'];

  async create(valsList: Vals | Vals[]) {
    const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v } : v)) as Vals[];
    if (list.some((v) => !v || typeof v !== 'object' || Array.isArray(v))) return super.create(list);
    const role = await helpdeskRole(this.env);
    if (role === 'none') await this.check_access_rights('create');
    const attachmentCommands: unknown[] = [];
    for (const vals of list) {
      if (role !== 'system') await this._checkCreateVals(vals, role);
      attachmentCommands.push(vals.attachment_ids);
      delete vals.attachment_ids;
      if (!vals.number) vals.number = await (this.env.model('ir.sequence').sudo() as any).next_by_code('helpdesk.ticket') as string;
      if (!vals.user_id) vals.user_id = await this._categoryTechnician(vals.category_id);
    }
    const records = await super.create(list);
    for (const [i, id] of records.ids.entries()) {
      if (attachmentCommands[i]) await records.browse([id])._linkCreationAttachments(attachmentCommands[i], role);
    }
    return records;
  }


  /** Refuses what the caller's role may not give when filing a ticket; drops harmless defaults. */
  async _checkCreateVals(vals: Vals, role: HelpdeskRole): Promise<void> {
    const defaults = await this.default_get(Object.keys(vals).filter((k) => TICKET_FIELD_NAMES.has(k)));
    const isDefault = (k: string) => {
      const v = vals[k];
      if (v === false || v === null || v === undefined || v === '' || v === 0 || (Array.isArray(v) && v.length === 0)) return true;
      // x2many commands that set nothing ([(6, 0, [])], [(5,)]), as forms send for empty fields
      if (Array.isArray(v) && v.every((c) => Array.isArray(c) && (c[0] === 5 || (c[0] === 6 && (!c[2] || (c[2] as unknown[]).length === 0))))) return true;
      if (k in defaults) return m2oId(v) !== false ? m2oId(v) === m2oId(defaults[k]) : v === defaults[k];
      return false;
    };
    for (const key of Object.keys(vals)) {
      if (!TICKET_FIELD_NAMES.has(key)) continue;
      const label = fieldLabel(this.env, MODEL, key);
      if (WORKFLOW_FIELDS.includes(key)) {
        if (!isDefault(key)) throw new UserError(_t(this.env, 'The field "%s" is set by the helpdesk workflow and cannot be given when creating a ticket.', label));
        delete vals[key];
        continue;
      }
      if (isStaff(role)) continue;
      if (key === 'partner_id') {
        if (vals.partner_id && m2oId(vals.partner_id) !== (await userPartnerId(this.env))) throw new AccessError(_t(this.env, 'You can only report tickets in your own name.'));
      } else if (key === 'origin') {
        if (vals.origin && !['web', 'api'].includes(String(vals.origin))) throw new AccessError(_t(this.env, 'The origin "%s" is set by the system only.', String(vals.origin)));
      } else if (!USER_CREATE_FIELDS.includes(key)) {
        if (!isDefault(key)) throw new AccessError(_t(this.env, 'Only technicians can set "%s" on a ticket.', label));
        delete vals[key];
      }
    }
  }


  /**
   * Attachments given at creation: new files ([0, 0, vals]) and files the caller uploaded
   * beforehand (ids / [4, id] / [6, 0, ids]) — those must be unattached and readable by them.
   * Linked as sudo because reporters may create tickets but not write them.
   */
  async _linkCreationAttachments(value: unknown, role: HelpdeskRole): Promise<void> {
    if (!Array.isArray(value)) throw new ValidationError(_t(this.env, 'Wrong value for %s: expected a list of commands or ids', `${MODEL}.attachment_ids`));
    const commands = value.every((v) => typeof v === 'number') ? [[6, 0, value]] : value;
    const linked: number[] = [];
    const created: Vals[] = [];
    for (const cmd of commands as unknown[][]) {
      if (!Array.isArray(cmd)) throw new ValidationError(_t(this.env, 'Wrong value for %s: expected a list of commands or ids', `${MODEL}.attachment_ids`));
      if (cmd[0] === 0) created.push({ ...(cmd[2] as Vals) });
      else if (cmd[0] === 4) linked.push(Number(cmd[1]));
      else if (cmd[0] === 6) linked.push(...((cmd[2] as unknown[]) ?? []).map(Number));
      else if (cmd[0] !== 5) throw new ValidationError(_t(this.env, 'Attachments of a new ticket can only be added.'));
    }
    if (linked.length) {
      const attachments = this.env.model('ir.attachment').browse(linked);
      if (role !== 'system') await attachments.checkAccessRule('read');
      const rows = await this.env.cr('ir_attachment').whereIn('id', attachments.ids).select('id', 'name', 'res_model', 'res_id');
      for (const r of rows) {
        if (r.res_model && r.res_id && role !== 'system') throw new UserError(_t(this.env, 'The file "%s" already belongs to another document.', r.name));
      }
      await attachments.sudo().write({ res_model: MODEL, res_id: this.ids[0] });
    }
    if (created.length) {
      await this.env.model('ir.attachment').sudo().create(created.map((v) => ({ ...v, res_model: MODEL, res_id: this.ids[0], res_field: false })));
    }
  }


  async write(vals: Vals) {
    if (vals && typeof vals === 'object' && !Array.isArray(vals) && this.ids.length && !this.env.su) {
      await this._checkWriteVals(vals);
    }
    const res = await super.write(vals);
    if (vals && typeof vals === 'object' && 'category_id' in vals && !('user_id' in vals)) await this._assignCategoryTechnician();
    return res;
  }


  /** SPEC 4.3: frozen fields, state only through actions, technicians edit four fields (and tags). */
  async _checkWriteVals(vals: Vals): Promise<void> {
    for (const key of Object.keys(vals)) {
      if (IMMUTABLE_FIELDS.includes(key)) {
        throw new UserError(_t(this.env, 'The field "%s" cannot be changed once the ticket has been created.', fieldLabel(this.env, MODEL, key)));
      }
      if (key === 'state') throw new UserError(_t(this.env, 'The status of a ticket only changes through its actions: Open, Wait, Solve, Reopen.'));
    }
    await this.check_access_rights('write');
    for (const key of Object.keys(vals)) {
      if (TICKET_FIELD_NAMES.has(key) && !STAFF_EDITABLE_FIELDS.includes(key)) {
        throw new AccessError(_t(this.env, 'You cannot change "%s" directly: technicians may only edit the category, project, priority, department and tags of a ticket; the rest changes through its actions.', fieldLabel(this.env, MODEL, key)));
      }
    }
  }

  /** Tickets without a technician get the one of their (new) category. */
  async _assignCategoryTechnician(): Promise<void> {
    const rows = await this.env.cr('helpdesk_ticket').whereIn('id', this.ids).whereNull('user_id').select('id', 'category_id');
    for (const r of rows) {
      const tech = await this._categoryTechnician(r.category_id ?? false);
      if (tech) await this.browse([Number(r.id)]).sudo().write({ user_id: tech });
    }
  }
});
