/**
 * Helpdesk benchmark (issue 5): N generated tickets (multi-row INSERT … SELECT
 * generate_series, not the ORM) with reporters, categories, priorities, technicians and
 * states; then, through the ORM with the real record rules:
 *  - "All Tickets" as a technician: search_read of 80 rows, list-view fields, default order;
 *  - the same with the "open / high priority" filters;
 *  - "My Tickets" as a user (action domain + the users' record rule);
 *  - read_group by state and by category (the dashboard), and the pager's search_count;
 * p50/p99 each, beside the hand-written SQL of "All Tickets" (the floor).
 *
 * `--seed` picks the data set (each in its own database), so a plan that only works on one
 * layout shows: 1 = the user's tickets spread evenly (one in 1,000, as reporter); 2 = the
 * user's tickets are the oldest ones (a backward scan of the newest ids finds none);
 * 3 = spread, and half of them created by the user for other reporters (the rule's
 * create_uid branch).
 */
import type { App } from '../core/app.ts';
import { bootApp } from '../core/app.ts';
import { loadConfig } from '../core/config.ts';
import { SUPERUSER_ID } from '../core/orm/index.ts';
import { percentile, round, timeMany, type Row } from './stats.ts';
import { TICKET_INDEXES } from '../addons/helpdesk_bytacora/index.ts';
import { SEARCH_DDL } from '../addons/helpdesk_bytacora/models/helpdesk_ticket_search.ts';

const LIST_FIELDS = ['create_date', 'number', 'subject', 'partner_id', 'category_id', 'priority_id', 'user_id', 'state', 'priority_level'];
const REPORTERS = 1000;
const CATEGORIES = 12;
const MESSAGES_PER_TICKET = 5;

interface BenchUsers { technician: number; user: number; technicians: number[] }

async function ensureUsers(app: App): Promise<BenchUsers> {
  return app.withEnv(SUPERUSER_ID, async (env) => {
    const get = async (login: string, group: string, name: string): Promise<number> => {
      const found = await env.cr('res_users').where({ login }).first('id');
      if (found) return Number(found.id);
      const created = await env.model('res.users').create({ name, login, groups_id: [[6, 0, [await env.refId(group)]]] });
      return created.ids[0];
    };
    const technicians: number[] = [];
    for (let i = 1; i <= 5; i++) technicians.push(await get(`bench_tech_${i}`, 'helpdesk_bytacora.group_helpdesk_technician', `Bench Technician ${i}`));
    const user = await get('bench_user', 'helpdesk_bytacora.group_helpdesk_user', 'Bench User');
    return { technician: technicians[0], user, technicians };
  });
}

/** Generates tickets up to `rows`: one every REPORTERS tickets is reported by the bench user. */
export async function seedHelpdeskTickets(app: App, rows: number, users: BenchUsers, seed = 1): Promise<void> {
  const knex = app.db.knex;
  const have = Number((await knex.raw('SELECT count(*) AS n FROM helpdesk_ticket')).rows[0].n);
  if (have >= rows) return;
  const userPartner = Number((await knex('res_users').where({ id: users.user }).first('partner_id')).partner_id);
  let reporters = (await knex('res_partner').where('email', 'like', 'bench.reporter.%').orderBy('id').select('id')).map((r: any) => Number(r.id));
  if (reporters.length < REPORTERS) {
    await knex.raw(`INSERT INTO res_partner (name, email, city, phone, active, create_date, write_date)
      SELECT 'Reporter ' || g, 'bench.reporter.' || g || '@example.com', (ARRAY['Madrid','Bilbao','Sevilla','Valencia'])[1 + g % 4], '+34 600 ' || g, TRUE, now(), now()
        FROM generate_series(${reporters.length + 1}, ${REPORTERS}) g`);
    reporters = (await knex('res_partner').where('email', 'like', 'bench.reporter.%').orderBy('id').select('id')).map((r: any) => Number(r.id));
  }
  // The category name is translated: a jsonb column, one key per language.
  let categories = (await knex('helpdesk_ticket_category').whereRaw(`name->>'en_US' LIKE 'Bench category %'`).orderBy('id').select('id')).map((r: any) => Number(r.id));
  if (categories.length < CATEGORIES) {
    await knex.raw(`INSERT INTO helpdesk_ticket_category (name, sequence, active, reopen_policy, reopen_days, technician_id, create_date, write_date)
      SELECT jsonb_build_object('en_US', 'Bench category ' || g), g, TRUE, 'reopen', 0, ?, now(), now() FROM generate_series(${categories.length + 1}, ${CATEGORIES}) g`, [users.technician]);
    categories = (await knex('helpdesk_ticket_category').whereRaw(`name->>'en_US' LIKE 'Bench category %'`).orderBy('id').select('id')).map((r: any) => Number(r.id));
  }
  const priorityRows = await knex('helpdesk_ticket_priority').orderBy('level').select('id', 'level');
  const priorities = priorityRows.map((r: any) => Number(r.id));
  const levels = priorityRows.map((r: any) => Number(r.level));
  // Which generated tickets belong to the bench user (see the seeds above), as SQL over g.
  const own = seed === 2 ? `g <= ${Math.max(1, Math.floor(rows / REPORTERS))}` : seed === 3 ? `g % ${REPORTERS} = 500` : `g % ${REPORTERS} = 0`;
  const createdByUser = seed === 3 ? `g % ${REPORTERS} = 250` : 'FALSE';
  const step = 50_000;
  await dropFulltextIndexes(app);
  for (let from = have + 1; from <= rows; from += step) {
    const to = Math.min(rows, from + step - 1);
    await knex.raw(`INSERT INTO helpdesk_ticket (number, subject, description, partner_id, user_id, category_id, priority_id, priority_level, state, origin, rating, create_uid, write_uid, create_date, write_date)
      SELECT 'B-' || lpad(g::text, 8, '0'),
             (ARRAY['Impresora','VPN','Correo','Pantalla','Teclado','Contraseña','Wifi','Licencia','Portátil','Servidor','Ratón','Teléfono','Backup','Antivirus','Navegador','Escáner','Proyector','Impresión','Permisos','Red'])[1 + g % 20]
               || ' ' || (ARRAY['no funciona','se atasca','va lento','da error','no conecta','no arranca','pide reinicio','sin acceso','se bloquea','hace ruido','no imprime','no sincroniza','se apaga','parpadea','caducada','no responde','falla'])[1 + (g / 20) % 17] || ' ' || g,
             '<p>Descripción generada del problema ' || g || ': desde esta mañana el equipo ' || (ARRAY['no funciona','va lento','da error'])[1 + g % 3] || '.</p>',
             CASE WHEN ${own} THEN ? ELSE (?::int[])[1 + (g * 7 + ${seed}) % ${REPORTERS}] END,
             CASE WHEN g % 10 = 0 THEN NULL ELSE (?::int[])[1 + g % ${users.technicians.length}] END,
             (?::int[])[1 + g % ${categories.length}], (?::int[])[1 + g % ${priorities.length}], (?::int[])[1 + g % ${priorities.length}],
             (ARRAY['new','open','pending','closed','closed','closed'])[1 + g % 6], (ARRAY['web','email','api','zammad'])[1 + g % 4], '0',
             CASE WHEN ${createdByUser} THEN ? ELSE 1 END, 1, now() - ((g % 365) || ' days')::interval - ((g % 86400) || ' seconds')::interval, now()
        FROM generate_series(${from}, ${to}) g`,
    [userPartner, reporters, users.technicians, categories, priorities, levels, users.user]);
  }
  await seedMessages(app, rows * MESSAGES_PER_TICKET);
  // The full-text indexes are built once over the loaded rows (faster than row by row), and
  // databases installed before an index was added get it here (the addon creates them at install).
  await knex.transaction(async (trx) => {
    await trx.raw(`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const sql of [...TICKET_INDEXES, ...SEARCH_DDL]) await trx.raw(sql);
  });
  // The steady state of a live table (autovacuum): statistics and the visibility map, so that
  // counts and groupings can use index-only scans.
  await knex.raw('VACUUM ANALYZE helpdesk_ticket');
  await knex.raw('VACUUM ANALYZE mail_message');
}

/** Bulk loads go faster without the full-text indexes; the seeding rebuilds them after. */
async function dropFulltextIndexes(app: App): Promise<void> {
  await app.db.knex.raw('DROP INDEX IF EXISTS helpdesk_ticket_search_vector_idx');
  await app.db.knex.raw('DROP INDEX IF EXISTS mail_message_helpdesk_fulltext_idx');
  await app.db.knex.raw('DROP INDEX IF EXISTS mail_message_helpdesk_search_vector_idx');
}

/**
 * Generated messages up to `count` on the generated tickets (MESSAGES_PER_TICKET each, one
 * in five an internal note), so that full-text search also reads a realistic chatter.
 */
async function seedMessages(app: App, count: number): Promise<void> {
  const knex = app.db.knex;
  const have = Number((await knex.raw(`SELECT count(*) AS n FROM mail_message WHERE model = 'helpdesk.ticket' AND message_id LIKE 'bench-%'`)).rows[0].n);
  if (have >= count) return;
  await dropFulltextIndexes(app);
  const first = Number((await knex.raw(`SELECT min(id) AS id FROM helpdesk_ticket WHERE number LIKE 'B-%'`)).rows[0].id);
  const note = Number((await knex('mail_message_subtype').where({ internal: true }).orderBy('id').first('id'))?.id ?? 0) || null;
  const comment = Number((await knex('mail_message_subtype').where({ internal: false }).orderBy('id').first('id'))?.id ?? 0) || null;
  const step = 100_000;
  for (let from = have + 1; from <= count; from += step) {
    const to = Math.min(count, from + step - 1);
    await knex.raw(`INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, is_internal, message_id, date, create_uid, write_uid, create_date, write_date)
      SELECT 'helpdesk.ticket', ? + (m - 1) / ${MESSAGES_PER_TICKET},
             '<p>' || (ARRAY['Hola,','Buenos días,','Gracias,','Buenas tardes,'])[1 + m % 4] || ' '
               || (ARRAY['he reiniciado el equipo','sigue igual','ya funciona','adjunto captura','el usuario confirma','probamos otra vez','cambiado el cable','pendiente de repuesto','llamé al proveedor','actualizado el driver','revisado el registro','sin novedades','el teclado responde','la impresora imprime','la conexión vuelve'])[1 + (m / 7) % 15]
               || ' (' || m || ').</p>',
             'comment', CASE WHEN m % 5 = 4 THEN ?::int ELSE ?::int END, m % 5 = 4, 'bench-' || m,
             now() - ((m % 365) || ' days')::interval, 1, 1, now(), now()
        FROM generate_series(${from}, ${to}) m`, [first, note, comment]);
  }
}

/** The steady state of the group counts: the scheduler folds their deltas every 5 minutes. */
async function compactCounts(app: App): Promise<void> {
  await app.withEnv(SUPERUSER_ID, (env: any) => env.model('ir.model').cron_compact_group_counts());
  await app.db.knex.raw('VACUUM ANALYZE helpdesk_ticket__counts');
}

export async function benchHelpdesk(opts: { dbUrl: string; rows: number; samples?: number; seed?: number }): Promise<Row[]> {
  const { config } = loadConfig([], { ERP_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv);
  const app = await bootApp({ ...config, db_url: opts.dbUrl, demo: false, addons: ['helpdesk_bytacora'] });
  try {
    const users = await ensureUsers(app);
    await seedHelpdeskTickets(app, opts.rows, users, opts.seed ?? 1);
    // Fresh statistics whatever happened before (an upgrade may have added a column).
    await app.db.knex.raw('ANALYZE helpdesk_ticket');
    await app.db.knex.raw('ANALYZE mail_message');
    await compactCounts(app);
    const samples = opts.samples ?? 200;
    const n = `${opts.rows.toLocaleString('en')}${opts.seed && opts.seed !== 1 ? ` (seed ${opts.seed})` : ''}`;
    const knex = app.db.knex;
    const tickets = (uid: number, fn: (t: any) => Promise<unknown>) => app.withEnv(uid, (env) => fn(env.model('helpdesk.ticket')));
    const myDomain = ['|', ['partner_id.user_ids', 'in', [users.user]], ['create_uid', '=', users.user]];
    const filtered = [['state', 'in', ['new', 'open']], ['priority_level', '>=', 3]];

    const all = await timeMany(samples, () => tickets(users.technician, (t) => t.search_read([], LIST_FIELDS, 0, 80, null)));
    const allFiltered = await timeMany(samples, () => tickets(users.technician, (t) => t.search_read(filtered, LIST_FIELDS, 0, 80, null)));
    const mine = await timeMany(samples, () => tickets(users.user, (t) => t.search_read(myDomain, LIST_FIELDS, 0, 80, null)));
    const byState = await timeMany(Math.min(samples, 50), () => tickets(users.technician, (t) => t.read_group([], ['state'], ['state'])), 3);
    const byCategory = await timeMany(Math.min(samples, 50), () => tickets(users.technician, (t) => t.read_group([], ['category_id'], ['category_id'])), 3);
    const scanByState = await timeMany(Math.min(samples, 50), () => knex.raw('SELECT state, count(*) FROM helpdesk_ticket GROUP BY state'), 3);
    const mineByState = await timeMany(Math.min(samples, 50), () => tickets(users.user, (t) => t.read_group(myDomain, ['state'], ['state'])), 3);
    const mineByCategory = await timeMany(Math.min(samples, 50), () => tickets(users.user, (t) => t.read_group(myDomain, ['category_id'], ['category_id'])), 3);
    const count = await timeMany(Math.min(samples, 50), () => tickets(users.technician, (t) => t.search_count([])), 3);
    const ftRare = await timeMany(Math.min(samples, 50), () => tickets(users.technician, (t) => t.search_fulltext('impresora atasca', 80)), 3);
    const ftCommon = await timeMany(Math.min(samples, 20), () => tickets(users.technician, (t) => t.search_fulltext('teclado', 80)), 2);
    // The floor full-text search must beat: an ilike scan of the same text (subjects,
    // descriptions, messages), every match, unranked — what "contains" does without an index.
    const ilikeScan = await timeMany(Math.min(samples, 3), () => knex.raw(
      `SELECT t.id FROM helpdesk_ticket t WHERE t.subject ILIKE ? OR t.description ILIKE ?
       UNION SELECT m.res_id FROM mail_message m WHERE m.model = 'helpdesk.ticket' AND m.body ILIKE ?`, ['%teclado%', '%teclado%', '%teclado%']), 1);
    const messageCount = Number((await knex.raw(`SELECT count(*) AS n FROM mail_message WHERE model = 'helpdesk.ticket'`)).rows[0].n);
    const ftUser = await timeMany(Math.min(samples, 50), () => tickets(users.user, (t) => t.search_fulltext('impresora', 80)), 3);
    const hand = await timeMany(samples, () => knex.transaction(async (trx) => {
      await trx('helpdesk_ticket as t')
        .leftJoin('res_partner as p', 'p.id', 't.partner_id').leftJoin('helpdesk_ticket_category as c', 'c.id', 't.category_id')
        .leftJoin('helpdesk_ticket_priority as pr', 'pr.id', 't.priority_id').leftJoin('res_users as u', 'u.id', 't.user_id')
        .orderBy('t.id', 'desc').limit(80)
        .select('t.id', 't.create_date', 't.number', 't.subject', 't.state', 'p.name as partner', 'c.name as category', 'pr.name as priority', 'pr.level', 'u.name as technician');
    }));
    const h50 = percentile(hand, 50);
    const row = (name: string, times: number[], reference?: string, key?: string): Row[] => [
      { key: key && `helpdesk.${key}_p50_ms`, name: `${name} p50`, value: round(percentile(times, 50)), unit: 'ms', reference },
      { key: key && `helpdesk.${key}_p99_ms`, name: `${name} p99`, value: round(percentile(times, 99)), unit: 'ms' },
    ];
    return [
      ...row(`Helpdesk "All Tickets" search_read 80 of ${n} (technician)`, all, `hand-written SQL with joins p50 ${round(h50)} ms (ratio ${round(percentile(all, 50) / h50)}x)`, 'all_tickets'),
      ...row(`Helpdesk "All Tickets" open + high priority, 80 of ${n} (technician)`, allFiltered),
      ...row(`Helpdesk "My Tickets" search_read 80 of ${n} (user, record rule)`, mine, undefined, 'my_tickets'),
      ...row(`Helpdesk "All Tickets" read_group by state over ${n} (technician)`, byState, `hand-written GROUP BY over the table p50 ${round(percentile(scanByState, 50))} ms`),
      ...row(`Helpdesk "All Tickets" read_group by category over ${n} (technician)`, byCategory),
      ...row(`Helpdesk "My Tickets" read_group by state (user, record rule)`, mineByState),
      ...row(`Helpdesk "My Tickets" read_group by category (user, record rule)`, mineByCategory),
      ...row(`Helpdesk search_count of ${n} (pager, technician)`, count),
      ...row(`Helpdesk full-text "impresora atasca" over ${n} and ${messageCount.toLocaleString('en')} messages (technician, ~1/340 match; no message has both words)`, ftRare, undefined, 'fulltext_rare'),
      ...row(`Helpdesk full-text "teclado" over ${n} and ${messageCount.toLocaleString('en')} messages (technician, ~1/20 match)`, ftCommon,
        `ilike scan of subjects, descriptions and messages (every match, unranked) p50 ${round(percentile(ilikeScan, 50))} ms`, 'fulltext_frequent'),
      ...row(`Helpdesk full-text "impresora" over ${n} (user: own tickets only)`, ftUser),
    ];
  } finally {
    await app.close();
  }
}
