/**
 * The web client's pure helpers, without a browser: arch parsing, modifiers, domains from
 * search facets, router state, CSV export, x2many commands, formatting, charts, pages.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { parseArch, fieldNodes, fieldsToRead, expressionNames, inlineListView, boolAttr } from '../../addons/web/static/src/arch.ts';
import { baseScope, recordScope, evalBool, evalModifiers, decorations, evalDomain, evalContext, evalOptions, fieldNodeState } from '../../addons/web/static/src/modifiers.ts';
import { normalizeDomain, andDomains, orDomains } from '../../core/orm/domain/index.ts';
import { SearchModel, parseFieldSearchValue } from '../../addons/web/static/src/search-model.ts';
import { encodeRouterState, decodeRouterState } from '../../addons/web/static/src/router.ts';
import { buildCsv, csvCell, recordsToCsv } from '../../addons/web/static/src/csv.ts';
import { addRow, emptyX2Many, linkRecords, removeRow, updateRow, x2manyCommands, x2manyFromRecords } from '../../addons/web/static/src/x2many.ts';
import { valuesToWrite, missingRequired, fieldOfError, changedNames, isEmpty } from '../../addons/web/static/src/record.ts';
import { formatValue, humanSize, htmlToText, localInputToServerDatetime, serverDatetimeToLocalInput, parseServerDatetime, textToHtml } from '../../addons/web/static/src/format.ts';
import { buildChartData, niceTicks, pieSlices } from '../../addons/web/static/src/chart.ts';
import { groupCount, groupLabel, groupValue } from '../../addons/web/static/src/groups.ts';
import { makeDate, relativedelta, timedelta, dateScope } from '../../addons/web/static/src/py-dates.ts';
import { normalizeFields } from '../../addons/web/static/src/fields.ts';
import { actionRef } from '../../addons/web/static/src/actions.ts';
import { setTranslations, _t } from '../../addons/web/static/src/i18n.ts';
import { parsePo } from '../../core/i18n/index.ts';
import { renderLoginPage, renderWebClientPage, safeRedirect } from '../../addons/web/pages.ts';
import type { FieldsInfo } from '../../addons/web/static/src/types.ts';

const xml = new DOMParser();
const arch = (s: string) => parseArch(s, xml);

const FIELDS: FieldsInfo = normalizeFields({
  subject: { type: 'char', string: 'Subject', required: true },
  state: { type: 'selection', string: 'State', selection: [['new', 'New'], ['open', 'Open'], ['closed', 'Closed']] },
  user_id: { type: 'many2one', string: 'Technician', relation: 'res.users' },
  tag_ids: { type: 'many2many', string: 'Tags', relation: 'helpdesk.ticket.tag' },
  line_ids: { type: 'one2many', string: 'Lines', relation: 'x.line', relation_field: 'ticket_id' },
  create_date: { type: 'datetime', string: 'Created on' },
  close_date: { type: 'date', string: 'Closed on' },
  hours: { type: 'float', string: 'Hours' },
  active: { type: 'boolean', string: 'Active' },
  solution: { type: 'html', string: 'Solution' },
  number: { type: 'char', string: 'Number', readonly: true },
});
const ctx = { uid: 7, lang: 'en_US', tz: 'UTC' };

// ───── arch ─────

test('parseArch builds a typed tree with attributes and trimmed text', (t) => {
  const tree = arch('<form string="T"><sheet><h1> Title <field name="subject"/></h1></sheet></form>');
  t.is(tree.tag, 'form');
  t.is(tree.attrs.string, 'T');
  const h1 = tree.children[0].children[0];
  t.deepEqual(h1.children.map((c) => c.tag), ['#text', 'field']);
  t.is(h1.children[0].text, ' Title ');
});

test('parseArch rejects malformed XML with a clear error', (t) => {
  t.throws(() => arch('<form><field name="x"></form>'), { message: /Invalid view arch/ });
});

test('fieldNodes does not descend into x2many subviews', (t) => {
  const tree = arch('<form><field name="subject"/><field name="line_ids"><list><field name="name"/></list></field></form>');
  t.deepEqual(fieldNodes(tree).map((n) => n.attrs.name), ['subject', 'line_ids']);
  t.is(inlineListView(fieldNodes(tree)[1])?.tag, 'list');
});

test('fieldsToRead adds the fields that modifiers use', (t) => {
  const tree = arch(`<form><field name="subject" readonly="state == 'closed'"/><field name="solution" invisible="state != 'closed' or not active"/></form>`);
  t.deepEqual(fieldsToRead(tree, FIELDS).sort(), ['active', 'solution', 'state', 'subject']);
  t.deepEqual(expressionNames("a.b == c[d] and f(x=y)").sort(), ['a', 'c', 'd', 'f', 'y']);
  t.deepEqual(expressionNames('not valid ((('), []);
});

test('boolAttr reads Odoo boolean attributes', (t) => {
  t.true(boolAttr('1'));
  t.true(boolAttr('True'));
  t.false(boolAttr('0'));
  t.false(boolAttr('false'));
  t.true(boolAttr(undefined, true));
});

// ───── modifiers ─────

const scopeOf = (values: Record<string, unknown>) => recordScope(values, FIELDS, baseScope(ctx));

test('invisible/readonly/required expressions are evaluated against the record', (t) => {
  const attrs = { invisible: "state != 'closed'", readonly: 'number', required: "state in ('open', 'closed')" };
  t.deepEqual(evalModifiers(attrs, scopeOf({ state: 'closed', number: 'T-1' })), { invisible: false, readonly: true, required: true });
  t.deepEqual(evalModifiers(attrs, scopeOf({ state: 'new', number: false })), { invisible: true, readonly: false, required: false });
});

test('many2one values are ids and x2many values id lists in modifiers', (t) => {
  const scope = scopeOf({ user_id: [7, 'Tech'], tag_ids: { rows: [{ id: 3 }, { id: null }], removed: [] } });
  t.true(evalBool('user_id == uid', scope));
  t.true(evalBool('tag_ids == [3]', scope));
  t.false(evalBool('hours', scope), 'fields not loaded are False');
});

test('an empty or absent modifier is false; a broken one is false and reported', (t) => {
  t.false(evalBool(undefined, scopeOf({})));
  t.false(evalBool('  ', scopeOf({})));
  const error = console.error;
  const logged: unknown[] = [];
  console.error = (...a: unknown[]) => logged.push(a);
  try {
    t.false(evalBool('state ==', scopeOf({})));
  } finally {
    console.error = error;
  }
  t.is(logged.length, 1);
});

test('decoration-* attributes give row classes', (t) => {
  const attrs = { 'decoration-danger': "state == 'new'", 'decoration-muted': "state == 'closed'", 'decoration-bf': 'True' };
  t.deepEqual(decorations(attrs, scopeOf({ state: 'new' })), ['bf', 'danger']);
});

test('an arch readonly/required overrides the field flag; locked forces read-only', (t) => {
  const scope = scopeOf({ state: 'new' });
  t.true(fieldNodeState({ name: 'number' }, FIELDS.number, scope).readonly);
  t.false(fieldNodeState({ name: 'number', readonly: '0' }, FIELDS.number, scope).readonly);
  t.true(fieldNodeState({ name: 'subject' }, FIELDS.subject, scope).required);
  t.true(fieldNodeState({ name: 'subject' }, FIELDS.subject, scope, true).readonly);
  t.deepEqual(fieldNodeState({ name: 'user_id', domain: "[('id', '!=', uid)]" }, FIELDS.user_id, scope).domain, [['id', '!=', 7]]);
});

test("without write access only fields the arch's readonly modifier makes editable stay editable", (t) => {
  const closed = scopeOf({ state: 'closed' });
  const open = scopeOf({ state: 'open' });
  const rating = { name: 'subject', readonly: "state != 'closed'" };
  t.false(fieldNodeState(rating, FIELDS.subject, closed, 'unless-granted').readonly, 'granted by the modifier for this record');
  t.true(fieldNodeState(rating, FIELDS.subject, open, 'unless-granted').readonly, 'the same modifier says readonly here');
  t.true(fieldNodeState({ name: 'subject' }, FIELDS.subject, closed, 'unless-granted').readonly, 'no modifier: the model right decides');
  t.true(fieldNodeState(rating, FIELDS.subject, closed, 'all').readonly);
  t.false(fieldNodeState({ name: 'subject' }, FIELDS.subject, closed, 'none').readonly);
});

test('action domains and contexts evaluate with uid, context and date helpers', (t) => {
  const now = () => new Date(2026, 10, 26, 15, 30, 0);
  const scope = baseScope({ ...ctx, default_x: 1 }, now);
  t.deepEqual(evalDomain("[('user_id', '=', uid), ('create_date', '>=', time.strftime('%Y-%m-01'))]", scope), ['&', ['user_id', '=', 7], ['create_date', '>=', '2026-11-01']]);
  t.deepEqual(evalDomain("[('close_date', '=', context_today().strftime('%Y-%m-%d'))]", scope), [['close_date', '=', '2026-11-26']]);
  t.deepEqual(evalDomain("[('close_date', '<=', context_today())]", scope), [['close_date', '<=', '2026-11-26']], 'dates become their wire form');
  t.deepEqual(evalContext("{'default_user_id': uid, 'search_default_open': 1}", scope), { default_user_id: 7, search_default_open: 1 });
  t.deepEqual(evalDomain(false, scope), []);
  t.throws(() => evalDomain("{'a': 1}", scope), { message: /must be a list/ });
});

test('Odoo date filters (context_today() ± relativedelta, combine, to_utc) evaluate', (t) => {
  const now = () => new Date(2026, 10, 26, 15, 30, 0); // a Thursday
  const scope = baseScope(ctx, now);
  const startOf = (expr: string) => (evalDomain(`[('create_date', '>=', ${expr})]`, scope)[0] as unknown[])[2];
  const utcMidnight = (y: number, m: number, d: number) => localInputToServerDatetime(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00`);
  const fmt = ".to_utc().strftime('%Y-%m-%d %H:%M:%S')";
  t.is(startOf(`datetime.datetime.combine(context_today(), datetime.time(0, 0, 0))${fmt}`), utcMidnight(2026, 11, 26));
  t.is(startOf(`datetime.datetime.combine(context_today() + relativedelta(weeks=-1, days=1, weekday=0), datetime.time(0, 0, 0))${fmt}`), utcMidnight(2026, 11, 23), 'Monday of this week');
  t.is(startOf(`datetime.datetime.combine(context_today() + relativedelta(day=1), datetime.time(0, 0, 0))${fmt}`), utcMidnight(2026, 11, 1));
  t.is(startOf(`datetime.datetime.combine(context_today() - relativedelta(days=30), datetime.time(0, 0, 0))${fmt}`), utcMidnight(2026, 10, 27));
  t.is(startOf("(context_today() - datetime.timedelta(days=1)).strftime('%Y-%m-%d')"), '2026-11-25');
});

test('options parse as a Python dict', (t) => {
  t.deepEqual(evalOptions("{'no_create': True, 'color_field': 'color'}"), { no_create: true, color_field: 'color' });
  t.deepEqual(evalOptions(undefined), {});
});

// ───── dates ─────

test('relativedelta and timedelta move dates like dateutil', (t) => {
  const d = makeDate(2026, 1, 31);
  t.is(d.__add__(relativedelta({ months: 1 })).toJSON(), '2026-02-28');
  t.is(d.__sub__(timedelta({ days: 31 })).toJSON(), '2025-12-31');
  t.is(d.__add__(relativedelta({ day: 1, months: -1 })).toJSON(), '2025-12-01');
  t.is(makeDate(2026, 11, 26).__add__(relativedelta({ weekday: 0 })).toJSON(), '2026-11-30', 'next Monday');
  const dt = makeDate(2026, 3, 1, 23, 30, 0, true);
  t.is(dt.__add__(timedelta({ hours: 1 })).toJSON(), '2026-03-02 00:30:00');
  t.is(dt.strftime('%d/%m/%Y %H:%M'), '01/03/2026 23:30');
  const scope = dateScope(() => new Date(2026, 0, 5, 10, 0, 0));
  t.is(scope.today, '2026-01-05');
});

// ───── domains ─────

test('normalizeDomain makes implicit ANDs explicit and rejects missing operands', (t) => {
  t.deepEqual(normalizeDomain([['a', '=', 1], ['b', '=', 2], ['c', '=', 3]]), ['&', '&', ['a', '=', 1], ['b', '=', 2], ['c', '=', 3]]);
  t.deepEqual(normalizeDomain(['|', ['a', '=', 1], ['b', '=', 2], ['c', '=', 3]]), ['&', '|', ['a', '=', 1], ['b', '=', 2], ['c', '=', 3]]);
  t.deepEqual(normalizeDomain([]), [[1, '=', 1]]);
  t.throws(() => normalizeDomain(['|', ['a', '=', 1]]));
});

test('the client combines domains with the server\'s algebra: an empty domain is TRUE', (t) => {
  t.deepEqual(orDomains([['a', '=', 1]], [['b', '=', 2]]), ['|', ['a', '=', 1], ['b', '=', 2]]);
  t.deepEqual(andDomains([['a', '=', 1]], [['b', '=', 2], ['c', '=', 3]]), ['&', ['a', '=', 1], '&', ['b', '=', 2], ['c', '=', 3]]);
  // "All" OR anything is everything (the client once gave X back here, the server TRUE).
  t.deepEqual(orDomains([], [['b', '=', 2]]), [[1, '=', 1]]);
  t.deepEqual(andDomains([], [['b', '=', 2]]), [['b', '=', 2]]);
  t.deepEqual(andDomains([], []), [[1, '=', 1]]);
});

test('the web client has no domain module of its own', (t) => {
  t.false(existsSync(new URL('../../addons/web/static/src/domain.ts', import.meta.url)));
});

// ───── search ─────

const SEARCH = arch(`<search>
  <field name="subject" filter_domain="['|', ('subject', 'ilike', self), ('number', 'ilike', self)]"/>
  <field name="user_id"/>
  <field name="state"/>
  <filter name="my" string="My tickets" domain="[('user_id', '=', uid)]"/>
  <separator/>
  <filter name="new" string="New" domain="[('state', '=', 'new')]"/>
  <filter name="open" string="Open" domain="[('state', '=', 'open')]"/>
  <separator/>
  <filter name="created" string="Created" date="create_date"/>
  <group expand="0" string="Group By">
    <filter name="group_state" string="State" context="{'group_by': 'state'}"/>
    <filter name="group_month" string="Month" context="{'group_by': 'create_date:month'}"/>
  </group>
</search>`);
const searchScope = baseScope(ctx);

test('the search arch gives fields, OR-groups of filters and group-bys', (t) => {
  const m = new SearchModel(SEARCH, FIELDS);
  t.deepEqual(m.fields.map((f) => f.name), ['subject', 'user_id', 'state']);
  t.deepEqual(m.filterGroups().map((g) => g.map((f) => f.key)), [['my'], ['new', 'open'], ['created']]);
  t.deepEqual(m.groupByFilters().map((f) => f.groupBy), [['state'], ['create_date:month']]);
});

test('filters of one group are OR-ed, groups AND-ed (Odoo facets)', (t) => {
  const m = new SearchModel(SEARCH, FIELDS);
  m.toggleFilter('new');
  m.toggleFilter('my');
  m.toggleFilter('open');
  t.deepEqual(m.facets().map((f) => f.values), [['New', 'Open'], ['My tickets']]);
  t.deepEqual(m.getSearch(searchScope).domain, ['&', '|', ['state', '=', 'new'], ['state', '=', 'open'], ['user_id', '=', 7]]);
  m.toggleFilter('new');
  t.deepEqual(m.getSearch(searchScope).domain, ['&', ['user_id', '=', 7], ['state', '=', 'open']]);
});

test('field searches use filter_domain with self, or a default operator', (t) => {
  const m = new SearchModel(SEARCH, FIELDS);
  m.addField('subject', 'printer', 'printer');
  m.addField('user_id', 4, 'Ana');
  m.addField('user_id', 'bo', 'bo');
  const facets = m.facets();
  t.deepEqual(facets.map((f) => [f.title, f.values]), [['Subject', ['printer']], ['Technician', ['Ana', 'bo']]]);
  t.deepEqual(m.getSearch(searchScope).domain, [
    '&', '|', ['subject', 'ilike', 'printer'], ['number', 'ilike', 'printer'],
    '|', ['user_id', '=', 4], ['user_id', 'ilike', 'bo'],
  ]);
});

test('facets are removed one by one, and backspace removes the last', (t) => {
  const m = new SearchModel(SEARCH, FIELDS);
  m.toggleFilter('my');
  m.addField('subject', 'x', 'x');
  m.toggleFilter('group_state');
  m.addField('subject', 'y', 'y');
  t.deepEqual(m.facets().map((f) => f.type), ['filter', 'field', 'groupBy'], 'group-bys come last');
  m.removeLastFacet();
  t.deepEqual(m.facets().map((f) => f.type), ['filter', 'field']);
  m.removeFacet(m.facets()[0].id);
  t.deepEqual(m.getSearch(searchScope).domain, ['|', '|', ['subject', 'ilike', 'x'], ['number', 'ilike', 'x'], '|', ['subject', 'ilike', 'y'], ['number', 'ilike', 'y']]);
});

test('group-by filters and custom groups give the group-by list', (t) => {
  const m = new SearchModel(SEARCH, FIELDS);
  m.toggleFilter('group_state');
  m.toggleGroupBy('user_id');
  t.deepEqual(m.getSearch(searchScope).groupBy, ['state', 'user_id']);
  t.deepEqual(m.facets(), [{ id: 'groupBy', type: 'groupBy', title: '', values: ['State', 'Technician'] }]);
  t.true(m.groupableFields().some((f) => f.name === 'create_date'));
  t.false(m.groupableFields().some((f) => f.name === 'tag_ids'));
});

test('a custom date range filters a datetime field from local midnight to end of day', (t) => {
  const m = new SearchModel(SEARCH, FIELDS);
  m.setDateRange('created', '2026-01-01', '2026-01-31');
  const [, first, second] = m.getSearch(searchScope).domain as [string, [string, string, string], [string, string, string]];
  t.is(first[0], 'create_date');
  t.is(first[2] as unknown, localInputToServerDatetime('2026-01-01T00:00:00'));
  t.is(second[2] as unknown, localInputToServerDatetime('2026-01-31T23:59:59'));
  t.regex(m.facets()[0].values[0], /Created: 2026-01-01 – 2026-01-31/);
});

test('search_default_* keys of the action context activate filters and fields', async (t) => {
  const m = new SearchModel(SEARCH, FIELDS);
  m.applyDefaults({ search_default_open: 1, search_default_user_id: 4, search_default_group_state: 1, search_default_unknown: 1 });
  await m.resolveLabels(async (model, id) => `${model}#${id}`);
  t.deepEqual(m.facets().map((f) => f.values), [['Open'], ['res.users#4'], ['State']]);
  t.deepEqual(m.getSearch(searchScope).groupBy, ['state']);
});

test('a query restored from the URL drops unknown filters and fields', (t) => {
  const m = new SearchModel(SEARCH, FIELDS);
  m.setQuery([{ type: 'filter', key: 'open' }, { type: 'filter', key: 'gone' }, { type: 'groupBy', spec: 'nofield' }, { type: 'field', name: 'subject', value: 'a', label: 'a' }]);
  t.deepEqual(m.query.map((q) => q.type), ['filter', 'field']);
});

test('typed search text is parsed per field type', (t) => {
  t.is(parseFieldSearchValue(FIELDS.hours, '1,5'), 1.5);
  t.is(parseFieldSearchValue(FIELDS.hours, 'abc'), undefined);
  t.is(parseFieldSearchValue(FIELDS.subject, ' printer '), 'printer');
  t.is(parseFieldSearchValue(FIELDS.state, 'new'), undefined, 'selections offer their values instead');
});

// ───── router ─────

test('router state round-trips through the URL hash, search facets included', (t) => {
  const state = { action: 12, menu_id: 3, model: 'helpdesk.ticket', view_type: 'list', search: [{ type: 'filter' as const, key: 'open' }, { type: 'field' as const, name: 'subject', value: 'a&b=c', label: 'a&b=c' }] };
  const hash = encodeRouterState(state);
  t.regex(hash, /^action=12&menu_id=3&model=helpdesk\.ticket&view_type=list&search=/);
  t.deepEqual(decodeRouterState(`#${hash}`), state);
  t.deepEqual(decodeRouterState('#action=helpdesk_bytacora.action_ticket&id=5&view_type=form'), { action: 'helpdesk_bytacora.action_ticket', id: 5, view_type: 'form' });
});

test('router decoding drops malformed values', (t) => {
  t.deepEqual(decodeRouterState('#id=abc&model=x;drop&search=%7Bbad&view_type=form&junk'), { view_type: 'form' });
  t.deepEqual(decodeRouterState('#search=' + encodeURIComponent(JSON.stringify([{ type: 'filter', key: 1 }, { type: 'groupBy', spec: 'state' }]))), { search: [{ type: 'groupBy', spec: 'state' }] });
  t.deepEqual(decodeRouterState('#id=%E0%A4%A'), {});
});

// ───── CSV ─────

test('CSV cells are quoted when needed and formulas neutralised', (t) => {
  t.is(csvCell('plain'), 'plain');
  t.is(csvCell('a,b'), '"a,b"');
  t.is(csvCell('say "hi"'), '"say ""hi"""');
  t.is(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  t.is(csvCell('-12.5'), '-12.5');
  t.is(csvCell('line\nbreak'), '"line\nbreak"');
  t.is(buildCsv(['A', 'B'], [['1', '2']]), 'A,B\r\n1,2\r\n');
});

test('records export with the texts the list shows', (t) => {
  const csv = recordsToCsv(
    [{ field: FIELDS.subject, label: 'Subject' }, { field: FIELDS.user_id, label: 'Technician' }, { field: FIELDS.state, label: 'State' }, { field: FIELDS.active, label: 'Active' }, { field: FIELDS.tag_ids, label: 'Tags' }],
    [{ id: 1, subject: 'Printer, 2nd floor', user_id: [4, 'Ana'], state: 'open', active: true, tag_ids: [1, 2] }],
    (f) => (f.name === 'tag_ids' ? { names: new Map([[1, 'hw'], [2, 'urgent']]) } : {}),
  );
  t.is(csv, 'Subject,Technician,State,Active,Tags\r\n"Printer, 2nd floor",Ana,Open,Yes,"hw, urgent"\r\n');
});

// ───── x2many and record values ─────

test('one2many edits become Odoo commands', (t) => {
  let v = x2manyFromRecords([1, 2, 3], [{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }]);
  t.deepEqual(x2manyCommands(v, 'one2many'), []);
  v = updateRow(v, '1', { name: 'A' });
  v = removeRow(v, '2', 'delete');
  v = removeRow(v, '3', 'unlink');
  v = addRow(v, { name: 'new', user_id: [5, 'Bo'] });
  v = linkRecords(v, [{ id: 9, name: 'upload.pdf' }]);
  const commands = x2manyCommands(v, 'one2many', (data, names) => valuesToWrite(data, names, normalizeFields({ name: { type: 'char', string: 'N' }, user_id: { type: 'many2one', string: 'U', relation: 'res.users' } })));
  t.deepEqual(commands, [[2, 2], [3, 3], [1, 1, { name: 'A' }], [0, 0, { name: 'new', user_id: 5 }], [4, 9]]);
});

test('removing a row that was never saved leaves no command', (t) => {
  let v = addRow(emptyX2Many(), { name: 'x' });
  v = removeRow(v, v.rows[0].key);
  v = linkRecords(v, [{ id: 4 }]);
  v = removeRow(v, '4');
  t.deepEqual(x2manyCommands(v, 'one2many'), []);
});

test('many2many changes are saved as the whole set', (t) => {
  let v = x2manyFromRecords([1, 2], [{ id: 1 }, { id: 2 }]);
  v = removeRow(v, '1', 'unlink');
  v = linkRecords(v, [{ id: 7, display_name: 'x' }]);
  t.deepEqual(x2manyCommands(v, 'many2many'), [[6, 0, [2, 7]]]);
});

test('form values become write values; required and errors are found', (t) => {
  const data = { subject: 'S', user_id: [4, 'Ana'], tag_ids: linkRecords(emptyX2Many(), [{ id: 3 }]), hours: '' as unknown, state: false };
  t.deepEqual(valuesToWrite(data, ['subject', 'user_id', 'tag_ids', 'hours', 'unknown'], FIELDS), { subject: 'S', user_id: 4, tag_ids: [[6, 0, [3]]], hours: false });
  t.deepEqual(changedNames(data, new Set(['subject']), FIELDS).sort(), ['subject', 'tag_ids']);
  t.deepEqual(missingRequired({ subject: '', solution: '<p><br></p>', active: false }, ['subject', 'solution', 'active'], FIELDS), ['subject', 'solution']);
  t.true(isEmpty(emptyX2Many(), FIELDS.tag_ids));
  t.is(fieldOfError('The field "Subject" cannot be changed after creation', ['subject', 'state'], FIELDS), 'subject');
  t.is(fieldOfError('Something else went wrong', ['subject'], FIELDS), undefined);
});

// ───── formatting ─────

test('datetimes convert between UTC on the wire and local inputs', (t) => {
  const wire = '2026-03-29 01:30:00';
  t.is(localInputToServerDatetime(serverDatetimeToLocalInput(wire)), wire);
  t.is(parseServerDatetime(wire).toISOString(), '2026-03-29T01:30:00.000Z');
  t.is(localInputToServerDatetime(''), false);
  t.is(serverDatetimeToLocalInput(false), '');
});

test('values format for lists, cards and CSV', (t) => {
  t.is(formatValue([4, 'Ana'], FIELDS.user_id), 'Ana');
  t.is(formatValue('closed', FIELDS.state), 'Closed');
  t.is(formatValue(false, FIELDS.active, { yes: 'Sí', no: 'No' }), 'No');
  t.is(formatValue(2.5, FIELDS.hours, { lang: 'es_ES' }), '2,50');
  t.is(formatValue([1, 2], FIELDS.tag_ids), '2 records');
  t.is(formatValue('2026-11-26', FIELDS.close_date, { lang: 'en_US' }), '11/26/2026');
  t.is(formatValue(false, FIELDS.subject), '');
  t.is(htmlToText('<p>Hello&nbsp;<b>world</b></p><p>&lt;ok&gt;</p>'), 'Hello world <ok>');
  t.is(humanSize(1536), '1.5 KB');
  t.is(humanSize(0), '0 B');
  t.is(textToHtml('a <b>\n\nc'), '<p>a &lt;b&gt;</p><p>c</p>');
});

// ───── groups and charts ─────

test('read_group rows give value, label and count for every kind of group-by', (t) => {
  t.is(groupCount({ __domain: [], state_count: 3 }, 'state'), 3);
  t.is(groupCount({ __domain: [], create_date_count: 2, 'create_date:month': 'November 2026' }, 'create_date:month'), 2);
  t.is(groupCount({ __domain: [], __count: 5 }, 'state'), 5);
  t.is(groupValue({ __domain: [], 'create_date:month': 'November 2026' }, 'create_date:month'), 'November 2026');
  t.is(groupLabel([4, 'Ana'], 'user_id', FIELDS), 'Ana');
  t.is(groupLabel('open', 'state', FIELDS), 'Open');
  t.is(groupLabel(false, 'user_id', FIELDS), 'None');
});

test('chart data has one label per x group and one series per second group', (t) => {
  const rows = [
    { __domain: [], __count: 2, state: 'new', user_id: [1, 'Ana'] },
    { __domain: [], __count: 3, state: 'open', user_id: [1, 'Ana'] },
    { __domain: [], __count: 1, state: 'open', user_id: false },
  ];
  const d = buildChartData(rows, ['state', 'user_id'], '__count', 'Count', FIELDS);
  t.deepEqual(d.labels, ['New', 'Open']);
  t.deepEqual(d.series, [{ label: 'Ana', values: [2, 3] }, { label: 'None', values: [0, 1] }]);
  t.deepEqual(buildChartData(rows.slice(0, 2), ['state'], '__count', 'Count', FIELDS).series, [{ label: 'Count', values: [2, 3] }]);
});

test('series of a selection follow its order, not the order the first groups meet them', (t) => {
  const rows = [
    { __domain: [], __count: 1, user_id: [1, 'Ana'], state: 'closed' },
    { __domain: [], __count: 2, user_id: [1, 'Ana'], state: 'open' },
    { __domain: [], __count: 3, user_id: [2, 'Bo'], state: 'new' },
    { __domain: [], __count: 4, user_id: [2, 'Bo'], state: false },
  ];
  const d = buildChartData(rows, ['user_id', 'state'], '__count', 'Count', FIELDS);
  t.deepEqual(d.series.map((s) => s.label), ['New', 'Open', 'Closed', 'None']);
  t.deepEqual(d.series.map((s) => s.values), [[0, 3], [2, 0], [1, 0], [0, 4]]);
});

test('axis ticks are round and cover the maximum; pie slices add up', (t) => {
  t.deepEqual(niceTicks(9), [0, 2, 4, 6, 8, 10]);
  t.deepEqual(niceTicks(0), [0, 1]);
  t.deepEqual(niceTicks(100), [0, 20, 40, 60, 80, 100]);
  const slices = pieSlices([1, 0, 3], 50, 50, 40);
  t.deepEqual(slices.map((s) => [s.index, s.fraction]), [[0, 0.25], [2, 0.75]]);
  t.true(slices[1].path.includes(' 1 1 '), 'a slice over half uses the large arc');
});

// ───── misc ─────

test('button action names accept ids and %(xml_id)d', (t) => {
  t.is(actionRef('%(helpdesk_bytacora.action_solve_wizard)d'), 'helpdesk_bytacora.action_solve_wizard');
  t.is(actionRef('42'), 42);
});

test('unknown server field types map to a type with a widget', (t) => {
  const f = normalizeFields({ amount: { type: 'monetary' as never, string: 'Amount' }, ref: { type: 'reference' as never, string: '' } });
  t.is(f.amount.type, 'float');
  t.is(f.ref.type, 'char');
  t.is(f.ref.string, 'ref');
});

test('_t translates and fills %s placeholders', (t) => {
  setTranslations('es_ES', { '%s selected': '%s seleccionados' });
  t.is(_t('%s selected', 3), '3 seleccionados');
  t.is(_t('Untranslated %s', 'x'), 'Untranslated x');
  setTranslations('en_US', {});
});

// ───── pages and translations ─────

const WEB = path.join(import.meta.dirname, '../../addons/web');

test('parsePo reads msgid/msgstr, multi-line strings and skips fuzzy entries', (t) => {
  const po = 'msgid ""\nmsgstr ""\n"Language: es\\n"\n\nmsgid "Save"\nmsgstr "Guardar"\n\n#, fuzzy\nmsgid "Old"\nmsgstr "Viejo"\n\nmsgid "Two "\n"lines"\nmsgstr "Dos "\n"líneas \\"x\\""\n';
  t.deepEqual(Object.fromEntries(parsePo(po)), { Save: 'Guardar', 'Two lines': 'Dos líneas "x"' });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

test('every _t() string of the web client has a Spanish translation in i18n/es.po', (t) => {
  const catalogue = Object.fromEntries(parsePo(readFileSync(path.join(WEB, 'i18n/es.po'), 'utf8')));
  const missing = new Set<string>();
  for (const file of [...sourceFiles(path.join(WEB, 'static/src')), path.join(WEB, 'pages.ts')]) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/_t\(\s*'((?:[^'\\]|\\.)*)'/g)) if (!catalogue[m[1].replace(/\\'/g, "'")]) missing.add(m[1]);
    for (const m of src.matchAll(/\bt\('((?:[^'\\]|\\.)*)'\)/g)) if (!catalogue[m[1]]) missing.add(m[1]);
  }
  t.deepEqual([...missing], []);
});

test('the login page posts login, password, csrf_token and redirect, escaped', (t) => {
  const page = renderLoginPage({ lang: 'en_US', translate: (s) => s, csrfToken: 'tok"en', db: 'helpdesk', redirect: '/web#action=3', error: '<b>Wrong login/password</b>', login: 'admin' });
  t.regex(page, /<form method="post" action="\/web\/login">/);
  for (const name of ['login', 'password', 'csrf_token', 'redirect']) t.regex(page, new RegExp(`name="${name}"`));
  t.regex(page, /value="tok&quot;en"/);
  t.regex(page, /value="\/web#action=3"/);
  t.regex(page, /&lt;b&gt;Wrong login\/password&lt;\/b&gt;/);
  // The only script is the fixed one keeping a deep link's #fragment: no user data in it.
  t.deepEqual(page.match(/<script[^>]*>[^<]*<\/script>/g)?.map((m) => m.includes('location.hash') && !m.includes('admin')), [true]);
});

const spanish = new Map(parsePo(readFileSync(path.join(WEB, 'i18n/es.po'), 'utf8')));

test('the login page speaks the user language and refuses foreign redirects', (t) => {
  const page = renderLoginPage({ lang: 'es_ES', translate: (s) => spanish.get(s) ?? s, csrfToken: 'x', db: 'helpdesk', redirect: '//evil.example/' });
  t.regex(page, /<html lang="es-ES">/);
  t.regex(page, /Contraseña/);
  t.regex(page, /name="redirect" value="\/web"/);
  t.is(safeRedirect('/web?debug=1'), '/web?debug=1');
  t.is(safeRedirect('https://evil.example'), '/web');
  t.is(safeRedirect('/\\evil'), '/web');
});

test('the web client page loads the bundle and carries the CSRF token', (t) => {
  const page = renderWebClientPage({ title: 'Helpdesk <ERP>', lang: 'en_US', translate: (s) => s, csrfToken: 'abc', assetVersion: '42' });
  t.regex(page, /<erp-app><\/erp-app>/);
  t.regex(page, /<script type="module" src="\/web\/static\/dist\/main\.js\?v=42"><\/script>/);
  t.regex(page, /<link rel="stylesheet" href="\/web\/static\/dist\/main\.css\?v=42">/);
  t.regex(page, /<meta name="csrf-token" content="abc">/);
  t.regex(page, /<title>Helpdesk &lt;ERP&gt;<\/title>/);
});

test('kanban on_drop: the target column names a method, or one per source column; elsewhere no action', async (t) => {
  const { parseDropActions, dropMethod } = await import('../../addons/web/static/src/kanban-drop.ts');
  const actions = parseDropActions("{'open': {'new': 'action_open', 'closed': 'action_reopen'}, 'closed': 'action_solve_wizard'}")!;
  t.is(dropMethod(actions, 'new', 'open'), 'action_open');
  t.is(dropMethod(actions, 'closed', 'open'), 'action_reopen');
  t.is(dropMethod(actions, 'pending', 'open'), null, 'no method from that column');
  t.is(dropMethod(actions, 'open', 'closed'), 'action_solve_wizard');
  t.is(dropMethod(actions, 'open', 'new'), null, 'no entry for the target');
  t.is(parseDropActions(undefined), null);
  t.is(parseDropActions("['not', 'a', 'dict']"), null);
});
