import { fields, model } from '../../../core/orm/index.ts';

/**
 * The HTTP layer's shared state, kept in the database so that every worker process (and
 * every machine) sees the same thing. core/http reads and writes these tables directly;
 * they have no access lines, so only the superuser reaches them through the ORM.
 *
 *  - ir.session          one row per browser session (the cookie holds the random id,
 *                        the table only its SHA-256);
 *  - ir.login.throttle   failed-login counters per login and per client address;
 *  - ir.progress         progress of long server calls (`/web/progress`).
 *
 * They live together because they are one feature (core/http/session.ts, throttle.ts,
 * progress.ts) and none of them is a business model.
 */
export const IrSession = model((Base) => class extends Base {
  static _name = 'ir.session';
  static _description = 'Web Session';
  static _rec_name = 'sid_hash';
  static fields = {
    sid_hash: fields.char({ string: 'Session Id (SHA-256)', required: true, unique: true }),
    user_id: fields.many2one('res.users', { string: 'User', ondelete: 'cascade' }),
    csrf_token: fields.char({ string: 'CSRF Token', required: true }),
    expiration: fields.datetime({ string: 'Expires On', required: true, index: true }),
    last_seen: fields.datetime({ string: 'Last Seen' }),
    remote_addr: fields.char({ string: 'Remote Address' }),
    user_agent: fields.char({ string: 'User Agent' }),
  };
});

export const IrLoginThrottle = model((Base) => class extends Base {
  static _name = 'ir.login.throttle';
  static _description = 'Failed Login Counter';
  static _rec_name = 'key';
  static fields = {
    key: fields.char({ string: 'Key', required: true, unique: true, help: "'login:<login>' or 'addr:<address>'" }),
    failures: fields.integer({ string: 'Failures in Window', default: 0 }),
    window_start: fields.datetime({ string: 'Window Start' }),
    blocked_until: fields.datetime({ string: 'Blocked Until' }),
    block_count: fields.integer({ string: 'Times Blocked', default: 0 }),
  };
});

export const IrProgress = model((Base) => class extends Base {
  static _name = 'ir.progress';
  static _description = 'Progress of a Server Call';
  static _rec_name = 'key';
  static fields = {
    key: fields.char({ string: 'Key', required: true, unique: true }),
    user_id: fields.integer({ string: 'User Id' }),
    done: fields.integer({ string: 'Done', default: 0 }),
    total: fields.integer({ string: 'Total', default: 0 }),
    message: fields.char({ string: 'Message' }),
    finished: fields.boolean({ string: 'Finished', default: false }),
  };
});
