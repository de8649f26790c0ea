import test from 'ava';
import type { App } from '../../../core/app.ts';
import { closeImportPools, importIndexed } from '../../../addons/base_external_import_zammad/index.ts';
import { deferSearchVectors, pendingMessageCount, pendingTicketCount } from '../../../addons/helpdesk_bytacora/search_index.ts';
import { SUPERUSER_ID } from '../../../core/orm/index.ts';
import { closeAllPools } from '../../../addons/base_external_dbsource/index.ts';
import { createTask, makeImportApp, makeZammad, rows, runTask, type ZammadSource } from './helpers.ts';

const TICKETS = 250;
let app: App;
let zammad: ZammadSource;
let taskId: number;
let sourceId: number;

test.before(async () => {
  [app, zammad] = await Promise.all([makeImportApp(), makeZammad(TICKETS)]);
  ({ taskId, sourceId } = await createTask(app, zammad));
  await runTask(app, taskId);
});

test.after.always(async () => {
  await closeImportPools();
  await closeAllPools?.();
  await app?.close();
  await zammad?.drop();
});

const STATE: Record<string, string> = { new: 'new', open: 'open', 'pending reminder': 'pending', 'pending action': 'pending', closed: 'closed', merged: 'closed', removed: 'closed' };

test.serial('every Zammad ticket is imported once, with its state by type, priority, reporter, technician and category', async (t) => {
  const source = await zammad.sql(`
    SELECT t.id, t.title, t.number, stt.name AS state_type, p.name AS priority, g.name AS group_name,
           NULLIF(lower(btrim(c.email)), '') AS customer_email, c.firstname, c.lastname,
           CASE WHEN t.owner_id = 1 THEN NULL ELSE lower(btrim(o.email)) END AS owner_email
      FROM tickets t JOIN ticket_states st ON st.id = t.state_id JOIN ticket_state_types stt ON stt.id = st.state_type_id
      JOIN ticket_priorities p ON p.id = t.priority_id JOIN groups g ON g.id = t.group_id
      JOIN users c ON c.id = t.customer_id JOIN users o ON o.id = t.owner_id ORDER BY t.id`);
  const imported = await rows(app, `
    SELECT t.zammad_id, t.subject, t.zammad_number, t.state, t.number, pr.level, pr.id AS priority_id, t.priority_level, cat.name->>'en_US' AS category,
           rp.email AS reporter_email, rp.name AS reporter_name, u.login AS tech_login, t.origin
      FROM helpdesk_ticket t LEFT JOIN helpdesk_ticket_priority pr ON pr.id = t.priority_id
      LEFT JOIN helpdesk_ticket_category cat ON cat.id = t.category_id
      LEFT JOIN res_partner rp ON rp.id = t.partner_id LEFT JOIN res_users u ON u.id = t.user_id
     WHERE t.zammad_source_id = ? ORDER BY t.zammad_id`, [sourceId]);
  t.is(imported.length, TICKETS);
  t.is(new Set(imported.map((r) => r.number)).size, TICKETS, 'each ticket got its own helpdesk number');
  const byId = new Map(imported.map((r) => [Number(r.zammad_id), r]));
  for (const s of source) {
    const i = byId.get(Number(s.id));
    t.truthy(i, `ticket ${s.id} imported`);
    t.is(i.subject, s.title);
    t.is(i.zammad_number, s.number);
    t.is(i.state, STATE[s.state_type], `state of ${s.id}`);
    t.is(Number(i.level), Number(String(s.priority)[0]), `priority of ${s.id}`);
    t.is(Number(i.priority_level), Number(i.level), 'the stored computed priority level follows the priority');
    t.is(i.category, s.group_name);
    t.is(i.origin, 'zammad');
    if (s.customer_email) t.is(i.reporter_email.trim().toLowerCase(), s.customer_email, `reporter of ${s.id}`);
    else t.is(i.reporter_name, [s.firstname, s.lastname].filter(Boolean).join(' '), `reporter without email of ${s.id}`);
    t.is(i.tech_login ?? null, s.owner_email, `technician of ${s.id}`);
  }
});

test.serial('reporters are not duplicated: one partner per customer email, whatever its case', async (t) => {
  const dup = await rows(app, `SELECT lower(btrim(email)) AS e, count(*) AS n FROM res_partner WHERE email IS NOT NULL AND email <> '' GROUP BY 1 HAVING count(*) > 1`);
  t.deepEqual(dup, []);
});

test.serial('each message\'s author is the partner of its Zammad author (by email, else by name; none for the system)', async (t) => {
  const source = await zammad.sql(`
    SELECT a.id, snd.name AS sender, NULLIF(lower(btrim(u.email)), '') AS email, btrim(coalesce(u.firstname, '')) AS first, btrim(coalesce(u.lastname, '')) AS last
      FROM ticket_articles a JOIN ticket_article_senders snd ON snd.id = a.sender_id
      LEFT JOIN users u ON u.id = COALESCE(a.origin_by_id, a.created_by_id) AND u.id <> 1 ORDER BY a.id`);
  const msgs = await rows(app, `
    SELECT split_part(split_part(m.message_id, '@', 1), '.', 3)::bigint AS article_id, p.email, p.name
      FROM mail_message m LEFT JOIN res_partner p ON p.id = m.author_id WHERE m.message_id LIKE ?`, [`<zammad.${sourceId}.%`]);
  const byArticle = new Map(msgs.map((m) => [Number(m.article_id), m]));
  t.is(byArticle.size, source.length);
  let byEmail = 0;
  let none = 0;
  for (const a of source) {
    const m = byArticle.get(Number(a.id));
    const name = a.first && a.last ? `${a.first} ${a.last}` : a.first || a.last;
    if (a.sender === 'System' || (!a.email && !name)) {
      t.is(m.name ?? null, null, `article ${a.id} has no author`);
      none++;
    } else if (a.email) {
      t.is(String(m.email).trim().toLowerCase(), a.email, `author of article ${a.id} by email`);
      byEmail++;
    } else t.is(m.name, name, `author of article ${a.id} by name`);
  }
  t.true(byEmail > 0, `the data has authors found by email (${byEmail}; ${none} without author)`);
});

test.serial('articles become chatter messages: counts, internal notes, order and escaped or sanitised bodies', async (t) => {
  const source = await zammad.sql(`SELECT ticket_id, count(*) AS n, count(*) FILTER (WHERE internal) AS internal FROM ticket_articles GROUP BY ticket_id`);
  const msgs = await rows(app, `
    SELECT t.zammad_id, count(m.id) AS n, count(m.id) FILTER (WHERE m.is_internal) AS internal,
           count(m.id) FILTER (WHERE m.is_internal AND s.internal) AS notes
      FROM helpdesk_ticket t JOIN mail_message m ON m.model = 'helpdesk.ticket' AND m.res_id = t.id AND m.message_id LIKE '<zammad.%'
      LEFT JOIN mail_message_subtype s ON s.id = m.subtype_id
     WHERE t.zammad_source_id = ? GROUP BY t.zammad_id`, [sourceId]);
  const byId = new Map(msgs.map((r) => [Number(r.zammad_id), r]));
  t.is(source.length, TICKETS);
  for (const s of source) {
    const m = byId.get(Number(s.ticket_id));
    t.is(Number(m?.n), Number(s.n), `article count of ${s.ticket_id}`);
    t.is(Number(m?.internal), Number(s.internal), `internal notes of ${s.ticket_id}`);
    t.is(Number(m?.notes), Number(s.internal), 'internal articles are notes (internal subtype)');
  }
  const scripts = await rows(app, `SELECT count(*) AS n FROM mail_message WHERE body ILIKE '%<script%'`);
  t.is(Number(scripts[0].n), 0);
});

test.serial('imported articles are found by the full-text search, before and after their vectors are computed', async (t) => {
  // On a PostgreSQL server the batches leave the messages' vectors to an indexer that runs
  // right after the run; the search finds them meanwhile (on PGlite they are computed on insert).
  const expected = (await zammad.sql(`SELECT DISTINCT ticket_id FROM ticket_articles WHERE body ILIKE '%gateway%'`)).map((r) => Number(r.ticket_id)).sort((a, b) => a - b);
  t.true(expected.length > 0, 'the generated articles mention the word');
  const found = async () => {
    const hits: any[] = await app.withEnv(SUPERUSER_ID, (env) => (env.model('helpdesk.ticket') as any).search_fulltext('gateway', 1000));
    const ids = hits.map((h: any) => Number(h.id));
    return (await rows(app, `SELECT zammad_id FROM helpdesk_ticket WHERE id = ANY(?) AND zammad_source_id = ?`, [ids, sourceId])).map((r) => Number(r.zammad_id)).sort((a, b) => a - b);
  };
  t.deepEqual(await found(), expected);
  await importIndexed();
  t.is(await pendingMessageCount(app.db.knex), 0, 'every imported message has its vector');
  t.deepEqual(await found(), expected);
  if (app.db.kind === 'postgres') {
    // The indexer's row versions are vacuumed away and the planner has the new counts.
    const tidied = await rows(app, `SELECT relname, last_vacuum IS NOT NULL AS vacuumed, last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE relname IN ('helpdesk_ticket', 'mail_message') ORDER BY relname`);
    t.deepEqual(tidied.map((r) => [r.relname, r.vacuumed, r.analyzed]), [['helpdesk_ticket', true, true], ['mail_message', true, true]]);
  }
});

test.serial('imported tickets are found by their subject before and after their vectors are computed, ranked the same', async (t) => {
  // On a PostgreSQL server the batches leave the tickets' vectors to the indexer too.
  await importIndexed();
  t.is(await pendingTicketCount(app.db.knex), 0, 'every imported ticket has its vector');
  const [ticket] = await rows(app, `SELECT id, subject, search_vector IS NULL AS pending FROM helpdesk_ticket WHERE zammad_source_id = ? ORDER BY zammad_id LIMIT 1`, [sourceId]);
  t.false(ticket.pending);
  const word = String(ticket.subject).split(/\s+/).find((w) => /^[\p{L}]{5,}$/u.test(w));
  t.truthy(word, `a word of the subject "${ticket.subject}"`);
  const hitOf = async () => {
    const hits: any[] = await app.withEnv(SUPERUSER_ID, (env) => (env.model('helpdesk.ticket') as any).search_fulltext(word, 1000));
    const ids: number[] = await app.withEnv(SUPERUSER_ID, async (env) => (await env.model('helpdesk.ticket').search([['fulltext', 'ilike', word]])).ids);
    return { hit: hits.find((h) => Number(h.id) === Number(ticket.id)), inField: ids.includes(Number(ticket.id)) };
  };
  const indexed = await hitOf();
  t.truthy(indexed.hit, 'found on its stored vector');
  t.true(indexed.inField);
  // What a batch of the importer leaves: the ticket written without its vector.
  await app.db.knex.transaction(async (trx) => {
    await deferSearchVectors(trx);
    await trx.raw('UPDATE helpdesk_ticket SET subject = subject WHERE id = ?', [ticket.id]);
  });
  t.is(await pendingTicketCount(app.db.knex), 1);
  const pending = await hitOf();
  t.truthy(pending.hit, 'found before its vector is computed (on the fly)');
  t.true(pending.inField, "the search bar's Text field finds it too");
  t.is(pending.hit.rank, indexed.hit.rank, 'ranked as when indexed');
  t.is(await app.withEnv(SUPERUSER_ID, (env) => (env.model('helpdesk.ticket') as any).cron_index_fulltext()), 1);
  t.is(await pendingTicketCount(app.db.knex), 0);
  const again = await hitOf();
  t.truthy(again.hit, 'found after its vector is computed');
  t.true(again.inField);
  t.is(again.hit.rank, indexed.hit.rank);
});

test.serial('attachments are imported byte for byte, on the ticket and its message', async (t) => {
  const source = await zammad.sql(`
    SELECT a.ticket_id, s.filename, encode(sha256(d.data), 'hex') AS sha, length(d.data) AS size
      FROM stores s JOIN store_objects so ON so.id = s.store_object_id AND so.name = 'Ticket::Article'
      JOIN ticket_articles a ON s.o_id = a.id::text JOIN store_files f ON f.id = s.store_file_id
      JOIN store_provider_dbs d ON d.sha = f.sha ORDER BY a.ticket_id, s.filename`);
  t.true(source.length > 10, 'the generated data has attachments');
  const imported = await rows(app, `
    SELECT t.zammad_id AS ticket_id, a.name AS filename, encode(sha256(a.datas), 'hex') AS sha, a.file_size AS size
      FROM ir_attachment a JOIN helpdesk_ticket t ON a.res_model = 'helpdesk.ticket' AND a.res_id = t.id
      JOIN message_attachment_rel r ON r.attachment_id = a.id JOIN mail_message m ON m.id = r.message_id AND m.res_id = t.id
     WHERE t.zammad_source_id = ? ORDER BY t.zammad_id, a.name`, [sourceId]);
  t.deepEqual(imported.map((r) => [Number(r.ticket_id), r.filename, r.sha, Number(r.size)]), source.map((r) => [Number(r.ticket_id), r.filename, r.sha, Number(r.size)]));
});

test.serial('the run is logged and the task keeps its counters and last sync', async (t) => {
  const [task] = await rows(app, 'SELECT last_sync, last_record_count, last_error_count, last_run FROM base_external_import_task WHERE id = ?', [taskId]);
  const [max] = await zammad.sql(`SELECT to_char(max(updated_at), 'YYYY-MM-DD HH24:MI:SS.MS') AS m FROM tickets`);
  t.is(Number(task.last_record_count), TICKETS);
  t.is(Number(task.last_error_count), 0);
  t.true(String(task.last_sync).startsWith(max.m.slice(0, 19)), `last sync ${task.last_sync} is the newest updated_at ${max.m}`);
  const logs = await rows(app, 'SELECT status, record_count FROM base_external_import_log WHERE import_id = ?', [taskId]);
  t.deepEqual(logs.map((l) => [l.status, Number(l.record_count)]), [['done', TICKETS]]);
});

test.serial('the import key (source, Zammad id) has one unique index, and no second index led by the source to update per ticket', async (t) => {
  const indexes = await rows(app, `
    SELECT c.relname AS name, i.indisunique AS is_unique, array_to_string(array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o), ',') AS cols
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = 'helpdesk_ticket'::regclass`);
  const ledBySource = indexes.filter((r) => String(r.cols).split(',')[0] === 'zammad_source_id');
  t.deepEqual(ledBySource.map((r) => [r.cols, r.is_unique]), [['zammad_source_id,zammad_id', true]]);
});

test.serial('a second run with nothing changed in Zammad writes nothing', async (t) => {
  const before = await rows(app, `SELECT (SELECT max(write_date)::text FROM helpdesk_ticket) AS t, (SELECT count(*) FROM mail_message) AS m,
    (SELECT max(write_date)::text FROM mail_message) AS mw, (SELECT count(*) FROM ir_attachment) AS a, (SELECT count(*) FROM res_partner) AS p, (SELECT count(*) FROM mail_followers) AS f`);
  const result = await runTask(app, taskId);
  t.is(result.params.type, 'success');
  const after = await rows(app, `SELECT (SELECT max(write_date)::text FROM helpdesk_ticket) AS t, (SELECT count(*) FROM mail_message) AS m,
    (SELECT max(write_date)::text FROM mail_message) AS mw, (SELECT count(*) FROM ir_attachment) AS a, (SELECT count(*) FROM res_partner) AS p, (SELECT count(*) FROM mail_followers) AS f`);
  t.deepEqual(after, before);
});

test.serial('changes in Zammad are picked up: state, title, owner and a new article', async (t) => {
  const [tk] = await zammad.sql(`SELECT t.id FROM tickets t JOIN ticket_states s ON s.id = t.state_id WHERE s.state_type_id = 2 ORDER BY t.id LIMIT 1`);
  const [agent] = await zammad.sql(`SELECT u.id, lower(u.email) AS email FROM users u JOIN roles_users r ON r.user_id = u.id AND r.role_id = 2 JOIN tickets t ON t.id = $1 WHERE u.id <> t.owner_id ORDER BY u.id LIMIT 1`, [tk.id]);
  await zammad.sql(`UPDATE tickets SET state_id = 4, title = 'Changed in Zammad', owner_id = $2, close_at = now(), updated_at = now() AT TIME ZONE 'UTC' + interval '1 second' WHERE id = $1`, [tk.id, agent.id]);
  await zammad.sql(`INSERT INTO ticket_articles (ticket_id, type_id, sender_id, "from", subject, body, content_type, internal, updated_by_id, created_by_id, created_at, updated_at)
    VALUES ($1, 10, 1, 'Agent', 'note', 'A new <b>internal</b> note & more', 'text/plain', true, $2, $2, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')`, [tk.id, agent.id]);
  await runTask(app, taskId);
  const [i] = await rows(app, `SELECT t.state, t.subject, u.login, t.close_date IS NOT NULL AS closed,
      (SELECT count(*) FROM mail_message m WHERE m.model = 'helpdesk.ticket' AND m.res_id = t.id AND m.message_id LIKE '<zammad.%') AS n,
      (SELECT body FROM mail_message m WHERE m.model = 'helpdesk.ticket' AND m.res_id = t.id AND m.is_internal ORDER BY m.id DESC LIMIT 1) AS note
    FROM helpdesk_ticket t LEFT JOIN res_users u ON u.id = t.user_id WHERE t.zammad_id = ? AND t.zammad_source_id = ?`, [tk.id, sourceId]);
  const [src] = await zammad.sql('SELECT count(*) AS n FROM ticket_articles WHERE ticket_id = $1', [tk.id]);
  t.is(i.state, 'closed');
  t.true(i.closed);
  t.is(i.subject, 'Changed in Zammad');
  t.is(i.login, agent.email);
  t.is(Number(i.n), Number(src.n));
  t.is(i.note, '<p>A new &lt;b&gt;internal&lt;/b&gt; note &amp; more</p>', 'plain text is escaped, never interpreted');
  const [task] = await rows(app, 'SELECT last_record_count FROM base_external_import_task WHERE id = ?', [taskId]);
  t.true(Number(task.last_record_count) <= 2, 'only the changed ticket (and the one at the last sync instant) was read again');
});

test.serial('an article moved to another ticket in Zammad (a merge) moves its message and attachments, with no new message', async (t) => {
  const [moved] = await zammad.sql(`SELECT a.id, a.ticket_id FROM ticket_articles a
      JOIN stores s ON s.o_id = a.id::text JOIN store_objects so ON so.id = s.store_object_id AND so.name = 'Ticket::Article'
      JOIN store_files f ON f.id = s.store_file_id JOIN store_provider_dbs d ON d.sha = f.sha ORDER BY a.id LIMIT 1`);
  t.truthy(moved, 'the generated data has an article with an attachment');
  const [into] = await zammad.sql(`SELECT id FROM tickets WHERE id <> $1 ORDER BY id LIMIT 1`, [moved.ticket_id]);
  await zammad.sql(`UPDATE ticket_articles SET ticket_id = $2 WHERE id = $1`, [moved.id, into.id]);
  await zammad.sql(`UPDATE tickets SET updated_at = now() AT TIME ZONE 'UTC' + interval '2 seconds' WHERE id = ANY($1)`, [[moved.ticket_id, into.id]]);
  const messagesBefore = await rows(app, `SELECT count(*) AS n FROM mail_message`);
  await runTask(app, taskId);
  const [task] = await rows(app, 'SELECT last_log FROM base_external_import_task WHERE id = ?', [taskId]);
  t.regex(task.last_log, / 0 messages, 0 attachments;/);
  t.deepEqual(await rows(app, `SELECT count(*) AS n FROM mail_message`), messagesBefore);
  const [target] = await rows(app, 'SELECT id FROM helpdesk_ticket WHERE zammad_id = ? AND zammad_source_id = ?', [into.id, sourceId]);
  const messages = await rows(app, `SELECT m.res_id, array_agg(DISTINCT a.res_id) AS files FROM mail_message m
      JOIN message_attachment_rel r ON r.message_id = m.id JOIN ir_attachment a ON a.id = r.attachment_id
     WHERE m.message_id LIKE ? GROUP BY m.id, m.res_id`, [`<zammad.${sourceId}.${moved.id}@%`]);
  t.deepEqual(messages.map((m) => [Number(m.res_id), m.files.map(Number)]), [[Number(target.id), [Number(target.id)]]]);
});
