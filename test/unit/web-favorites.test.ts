/**
 * Favorites in the web client, without a browser: the Python literal written to ir.filters
 * reads back (through the server's own literal evaluator) as the same domain and context; a
 * favorite becomes one query item whose facet, domain and group-bys the search model uses;
 * applying a favorite replaces the query, applying it again clears it.
 */
import test from 'ava';
import { DOMParser } from '@xmldom/xmldom';
import { literalEval } from '../../core/data/index.ts';
import { favoriteItem, ownsFavorite, pyLiteral } from '../../addons/web/static/src/favorites.ts';
import { SearchModel, type Favorite } from '../../addons/web/static/src/search-model.ts';
import { parseArch } from '../../addons/web/static/src/arch.ts';
import type { FieldsInfo } from '../../addons/web/static/src/types.ts';

const domains: unknown[] = [
  [],
  [['state', '!=', 'closed']],
  ['|', ['user_id', '=', false], ['priority_level', '>=', 3]],
  [['subject', 'ilike', "it's \\ \"quoted\"\nand two lines"], ['id', 'in', [1, 2, 3]], ['amount', '>', 1.5]],
];
for (const domain of domains) {
  test(`pyLiteral(${JSON.stringify(domain)}) reads back as the same value on the server`, (t) => {
    t.deepEqual(literalEval(pyLiteral(domain)), domain);
  });
}

test('pyLiteral writes a context dict with group_by and booleans the server reads', (t) => {
  const ctx = { group_by: ['category_id', 'create_date:month'], active_test: false, none: null };
  t.is(pyLiteral(ctx), "{'group_by': ['category_id', 'create_date:month'], 'active_test': False, 'none': None}");
  t.deepEqual(literalEval(pyLiteral(ctx)), ctx);
});

const FAV: Favorite = {
  id: 7, name: 'Urgent by category', domain: "[('priority_level', '>=', 3)]", context: "{'group_by': ['category_id'], 'lang_hint': 'x'}",
  sort: '[]', is_default: false, user_id: [5, 'Carlos Ruiz'], create_uid: [5, 'Carlos Ruiz'],
};
const FIELDS = {
  state: { name: 'state', type: 'selection', string: 'Status', selection: [['new', 'New'], ['closed', 'Closed']] },
  category_id: { name: 'category_id', type: 'many2one', string: 'Category', relation: 'helpdesk.ticket.category' },
  priority_level: { name: 'priority_level', type: 'integer', string: 'Priority level' },
} as unknown as FieldsInfo;
const ARCH = parseArch(`<search><filter name="not_closed" string="Not closed" domain="[('state', '!=', 'closed')]"/></search>`, new DOMParser() as never);

test('a favorite is one query item: its facet, its domain, its group-bys and the rest of its context', (t) => {
  const item = favoriteItem(FAV, {});
  t.deepEqual(item, { type: 'favorite', id: 7, name: 'Urgent by category', domain: [['priority_level', '>=', 3]], groupBy: ['category_id'], context: { lang_hint: 'x' } });
  const search = new SearchModel(ARCH, FIELDS);
  search.toggleFilter('not_closed');
  search.toggleFavorite(item);
  t.deepEqual(search.facets().map((f) => [f.type, f.values]), [['favorite', ['Urgent by category']]], 'the favorite replaced the filter');
  t.deepEqual(search.getSearch({}), { domain: [['priority_level', '>=', 3]], context: { lang_hint: 'x' }, groupBy: ['category_id'] });
  t.true(search.isFavoriteActive(7));
  search.toggleFavorite(item);
  t.deepEqual(search.query, []);
});

test('a favorite\'s sort is the first order of its list, and the search model hands it to the list', (t) => {
  const item = favoriteItem({ ...FAV, sort: "['subject desc']" }, {});
  t.is(item.sort, 'subject desc');
  const search = new SearchModel(ARCH, FIELDS);
  t.is(search.favoriteSort(), '');
  search.toggleFavorite(item);
  t.is(search.favoriteSort(), 'subject desc');
  t.is(pyLiteral(['subject desc']), "['subject desc']");
});

test('a restored URL query keeps its favorite item', (t) => {
  const search = new SearchModel(ARCH, FIELDS);
  search.setQuery([favoriteItem(FAV, {})]);
  t.true(search.isFavoriteActive(7));
});

test('a personal favorite belongs to its user, a shared one to its creator', (t) => {
  t.true(ownsFavorite(FAV, 5));
  t.false(ownsFavorite(FAV, 6));
  const shared = { ...FAV, user_id: false as const, create_uid: [6, 'Marta Sanz'] as [number, string] };
  t.true(ownsFavorite(shared, 6));
  t.false(ownsFavorite(shared, 5));
});
