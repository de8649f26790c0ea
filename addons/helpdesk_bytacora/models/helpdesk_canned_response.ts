import { fields, model, UserError, ValidationError } from '../../../core/orm/index.ts';
import { escapeHtml } from '../tools.ts';
import { _t } from '../../../core/i18n/index.ts';

const PLACEHOLDER = /\{\{\s*(ticket|user)\.([a-z_][a-z0-9_]*)\s*\}\}/g;

/**
 * Canned responses technicians insert from the composer. The body may use
 * `{{ticket.<field>}}` (number, subject, partner_name, state…) and `{{user.<field>}}`
 * (name, email, login); `render(ticket_id)` fills them in for one ticket, reading it with
 * the caller's rights, and escapes the values.
 */
export const HelpdeskCannedResponse = model((Base) => class extends Base {
  static _name = 'helpdesk.canned.response';
  static _description = 'Canned Response';
  static _order = 'sequence, name, id';
  static fields = {
    name: fields.char({ string: 'Name', required: true }),
    sequence: fields.integer({ string: 'Sequence', default: 10 }),
    body: fields.html({ string: 'Body', required: true, help: 'Placeholders: {{ticket.number}}, {{ticket.subject}}, {{ticket.partner_name}}, {{user.name}}…' }),
    category_id: fields.many2one('helpdesk.ticket.category', { string: 'Category', help: 'Offered for tickets of this category only (empty: for all)' }),
    active: fields.boolean({ string: 'Active', default: true }),
  };
  static _rpc = { render: { kind: 'records' as const, params: ['ticket_id'] } };

  /** The body with its placeholders replaced for ticket `ticket_id`. */
  async render(ticket_id: unknown): Promise<string> {
    this.ensureOne();
    const [response] = await this.read(['body']);
    const id = Number(ticket_id);
    if (!Number.isInteger(id) || id <= 0) throw new ValidationError(_t(this.env, 'Choose the ticket to answer.'));
    const ticketModel = this.env.model('helpdesk.ticket');
    const userModel = this.env.model('res.users');
    const body = String(response.body || '');
    const wanted = { ticket: new Set<string>(), user: new Set<string>() };
    for (const m of body.matchAll(PLACEHOLDER)) wanted[m[1] as 'ticket' | 'user'].add(m[2]);
    const check = (modelName: string, names: Set<string>, allowed?: string[]) => {
      const meta = this.env.registry.get(modelName)!._meta;
      for (const n of names) {
        if (!meta.fields.has(n) || (allowed && !allowed.includes(n))) throw new UserError(_t(this.env, 'Unknown placeholder {{%s}} in the canned response "%s".', `${modelName === 'res.users' ? 'user' : 'ticket'}.${n}`, this.ids[0]));
      }
    };
    check('helpdesk.ticket', wanted.ticket);
    check('res.users', wanted.user, ['name', 'login', 'email', 'signature']);
    const [ticket] = wanted.ticket.size ? await ticketModel.browse([id]).read([...wanted.ticket]) : [{}];
    const [user] = wanted.user.size ? await userModel.sudo().browse([this.env.uid]).read([...wanted.user]) : [{}];
    const text = (v: unknown): string => (v === false || v === null || v === undefined ? '' : Array.isArray(v) ? String(v[1] ?? '') : String(v));
    return body.replace(PLACEHOLDER, (_m, scope: string, name: string) => {
      const value = scope === 'ticket' ? (ticket as any)[name] : (user as any)[name];
      const field = this.env.registry.get(scope === 'ticket' ? 'helpdesk.ticket' : 'res.users')!._meta.fields.get(name)!;
      if (field.type === 'selection' && typeof value === 'string') {
        const label = field.selection?.find(([v]) => v === value)?.[1] ?? value;
        return escapeHtml(this.env.registry.translate(this.env.lang, label));
      }
      return field.type === 'html' ? text(value) : escapeHtml(text(value));
    });
  }
});
