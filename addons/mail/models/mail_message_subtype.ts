import { fields, model, type Environment } from '../../../core/orm/index.ts';

/**
 * Whether subtype `id` is internal (its messages are notes), shared across units of work:
 * every message posted asks (the messages of one mail ask it several times).
 */
export function subtypeIsInternal(env: Environment, id: number | null | undefined | false): Promise<boolean> {
  if (!id) return Promise.resolve(false);
  return env.cached('mail.message.subtype', `mail.subtype.internal:${id}`, async () => {
    const row = await env.cr('mail_message_subtype').where({ id }).first('internal');
    return row?.internal === true;
  });
}

/** Kinds of messages: public discussions (`mail.mt_comment`) versus internal notes (`mail.mt_note`). */
export const MailMessageSubtype = model((Base) => class extends Base {
  static _name = 'mail.message.subtype';
  static _description = 'Message subtypes';
  static _order = 'sequence, id';
  static fields = {
    name: fields.char({ string: 'Message Type', required: true, translate: true }),
    description: fields.text({ string: 'Description', translate: true, help: 'Description added to the message posted for this subtype.' }),
    internal: fields.boolean({ string: 'Internal Only', default: false, help: 'Messages with an internal subtype are visible to employees only.' }),
    default: fields.boolean({ string: 'Default', default: true, help: 'Activated by default when subscribing.' }),
    res_model: fields.char({ string: 'Model', help: 'Model the subtype applies to. Empty: it applies to every model.' }),
    sequence: fields.integer({ string: 'Sequence', default: 1 }),
    hidden: fields.boolean({ string: 'Hidden', default: false, help: 'Hide the subtype in the follower options.' }),
  };
});
