/**
 * Domain parsing and algebra: valid wire domains → trees, invalid ones → errors naming the item,
 * then Odoo's normalize_domain / AND / OR on wire arrays and `simplify` on trees.
 */
import test from 'ava';
import {
  andDomains, normalizeDomain, orDomains, parseDomain, simplify, toDomainList, type DomainNode,
} from '../../core/orm/domain/index.ts';
import { ValidationError } from '../../core/errors.ts';

// Tree builders keep the expected values readable.
const leaf = (path: string, operator: string, value: unknown): DomainNode =>
  ({ kind: 'leaf', path: path.split('.'), operator, value }) as DomainNode;
const and = (...children: DomainNode[]): DomainNode => ({ kind: 'and', children });
const or = (...children: DomainNode[]): DomainNode => ({ kind: 'or', children });
const not = (child: DomainNode): DomainNode => ({ kind: 'not', child });
const T: DomainNode = { kind: 'true' };
const F: DomainNode = { kind: 'false' };

const A = ['a', '=', 1];
const B = ['b', '=', 2];
const C = ['c', '=', 3];
const D = ['d', '=', 4];
const a = leaf('a', '=', 1);
const b = leaf('b', '=', 2);
const c = leaf('c', '=', 3);
const d = leaf('d', '=', 4);

const parses = test.macro({
  exec(t, domain: unknown, expected: DomainNode) {
    t.deepEqual(parseDomain(domain), expected);
  },
  title: (given, domain: unknown) => `parses ${given ? `${given}: ` : ''}${JSON.stringify(domain)}`,
});

const valid: Array<[string, unknown, DomainNode]> = [
  ['the empty domain as TRUE', [], T],
  ['a single leaf as that leaf', [A], a],
  ['consecutive terms as an implicit AND', [A, B, C], and(a, b, c)],
  ["'&' as a binary AND", ['&', A, B], and(a, b)],
  ["'|' as a binary OR", ['|', A, B], or(a, b)],
  ["'!' as NOT of the next term", ['!', A], not(a)],
  ['an OR followed by an implicitly AND-ed leaf', ['|', A, B, C], and(or(a, b), c)],
  ['a leaf AND-ed with a following OR', [A, '|', B, C], and(a, or(b, c))],
  ['nested prefix operators', ['|', '&', A, B, '!', C], or(and(a, b), not(c))],
  ['chained ORs in Polish notation', ['|', '|', A, B, C], or(or(a, b), c)],
  ['an OR whose second operand is an AND', ['|', A, '&', B, C], or(a, and(b, c))],
  ['NOT of an OR', ['!', '|', A, B], not(or(a, b))],
  ['double negation literally', ['!', '!', A], not(not(a))],
  ['two ORs AND-ed', ['|', A, B, '|', C, D], and(or(a, b), or(c, d))],
  ['a dotted path into its components', [['partner_id.country_id.code', '=', 'BE']], leaf('partner_id.country_id.code', '=', 'BE')],
  ['TRUE_LEAF', [[1, '=', 1]], T],
  ['FALSE_LEAF', [[0, '=', 1]], F],
  ['TRUE_LEAF inside an OR', ['|', [1, '=', 1], A], or(T, a)],
  ["'<>' normalised to '!='", [['state', '<>', 'done']], leaf('state', '!=', 'done')],
  ["'in' with a list", [['id', 'in', [1, 2]]], leaf('id', 'in', [1, 2])],
  ["'in' with a scalar wrapped in a list", [['id', 'in', 5]], leaf('id', 'in', [5])],
  ["'not in' with false wrapped", [['tag_ids', 'not in', false]], leaf('tag_ids', 'not in', [false])],
  ['a comparison with false (unset)', [['user_id', '=', false]], leaf('user_id', '=', false)],
  ['a null value kept as null', [['user_id', '!=', null]], leaf('user_id', '!=', null)],
  ['every pattern operator', ['&', '&', ['n', 'not ilike', 'x'], ['n', '=like', 'a%'], ['n', '=ilike', 'A%']],
    and(and(leaf('n', 'not ilike', 'x'), leaf('n', '=like', 'a%')), leaf('n', '=ilike', 'A%'))],
  ['hierarchy operators', [['parent_id', 'child_of', 3], ['parent_id', 'parent_of', [4]]],
    and(leaf('parent_id', 'child_of', 3), leaf('parent_id', 'parent_of', [4]))],
  ["'any' with its domain parsed", [['message_ids', 'any', [['author_id', '=', 3], ['body', 'ilike', 'hi']]]],
    leaf('message_ids', 'any', and(leaf('author_id', '=', 3), leaf('body', 'ilike', 'hi')))],
  ["'not any' with a nested 'any'", [['line_ids', 'not any', [['product_id', 'any', [['name', '=', 'x']]]]]],
    leaf('line_ids', 'not any', leaf('product_id', 'any', leaf('name', '=', 'x')))],
  ["'any' with an empty domain", [['tag_ids', 'any', []]], leaf('tag_ids', 'any', T)],
  ['a leaf whose value is a list for "="', [['code', '=', ['x']]], leaf('code', '=', ['x'])],
];

for (const [title, domain, expected] of valid) test(title, parses, domain, expected);

const rejects = test.macro({
  exec(t, domain: unknown, fragment: string) {
    const error = t.throws(() => parseDomain(domain), { instanceOf: ValidationError });
    t.true(error?.message.includes(fragment), `message was: ${error?.message}`);
  },
  title: (given, domain: unknown, fragment: string) => `rejects ${given ?? JSON.stringify(domain)} with "${fragment}"`,
});

const invalid: Array<[string, unknown, string]> = [
  ['a string', "[('a', '=', 1)]", 'Invalid domain: expected a list, got string'],
  ['null', null, 'Invalid domain: expected a list, got null'],
  ['an object', { a: 1 }, 'Invalid domain: expected a list, got object'],
  ['an unknown leaf operator', [A, B, ['name', 'lik', 'x']], `Invalid domain: unknown operator 'lik' in leaf #2 ["name","lik","x"]`],
  ['an upper-case operator', [['name', 'ILIKE', 'x']], "unknown operator 'ILIKE' in leaf #0"],
  ['a non-string operator', [['name', 5, 'x']], 'unknown operator 5 in leaf #0'],
  ["'|' with one operand", ['|', A], "Invalid domain: '|' at #0 expects 2 operands, got 1"],
  ["'&' with no operands", [A, '&'], "Invalid domain: '&' at #1 expects 2 operands, got 0"],
  ["'!' with no operand", ['!'], "Invalid domain: '!' at #0 expects 1 operand, got 0"],
  ['an unknown logical operator', ['^', A, B], "Invalid domain: unknown logical operator '^' at #0"],
  ['a leaf operator used as a logical one', ['=', A, B], "unknown logical operator '=' at #0"],
  ['a leaf with two elements', [['a', '=']], 'Invalid domain: leaf #0 ["a","="] must have 3 elements, got 2'],
  ['a leaf with four elements', [A, ['a', '=', 1, 2]], 'leaf #1 ["a","=",1,2] must have 3 elements, got 4'],
  ['a number item', [A, 42], "Invalid domain: item #1 must be '&', '|', '!' or a [field, operator, value] leaf, got 42"],
  ['an object item', [{ field: 'a' }], 'item #0 must be'],
  ['SQL in a field name', [['name; drop table x', '=', 1]], 'Invalid field name "name; drop table x" in leaf #0'],
  ['a quote in a path component', [A, ['partner_id.na"me', '=', 1]], 'Invalid field name "partner_id.na\\"me" in leaf #1'],
  ['an empty path component', [['partner_id..name', '=', 1]], 'Invalid field name "partner_id..name" in leaf #0'],
  ['an empty field name', [['', '=', 1]], 'Invalid field name "" in leaf #0'],
  ['a field name starting with a digit', [['1abc', '=', 1]], 'Invalid field name "1abc"'],
  ['a non-string field', [[2, '=', 1]], 'Invalid domain: field name must be a string in leaf #0 [2,"=",1]'],
  ["'any' with a scalar", [['tag_ids', 'any', 3]], "Invalid domain: operator 'any' expects a domain (a list) in leaf #0"],
  ["a bad leaf inside 'any'", [A, ['tag_ids', 'any', [['x', 'nope', 1]]]],
    "Invalid domain: unknown operator 'nope' in leaf #0 [\"x\",\"nope\",1] (in the 'any' domain of leaf #1)"],
  ['an undefined value', [['a', '=', undefined]], 'Invalid domain: unsupported value undefined in leaf #0'],
];

for (const [title, domain, fragment] of invalid) test(title, rejects, domain, fragment);

const normalizes = test.macro({
  exec(t, domain: unknown[], expected: unknown[]) {
    t.deepEqual(normalizeDomain(domain), expected);
  },
  title: (given, domain: unknown[], expected: unknown[]) => `normalizeDomain ${JSON.stringify(domain)} → ${JSON.stringify(expected)}`,
});

const normalizeRows: Array<[unknown[], unknown[]]> = [
  [[], [[1, '=', 1]]],
  [[A], [A]],
  [[A, B], ['&', A, B]],
  [[A, B, C], ['&', '&', A, B, C]],
  [['|', A, B, C], ['&', '|', A, B, C]],
  [[A, '|', B, C], ['&', A, '|', B, C]],
  [['!', A, B], ['&', '!', A, B]],
  [['&', A, B], ['&', A, B]],
];

for (const [domain, expected] of normalizeRows) test(normalizes, domain, expected);

test('normalizeDomain rejects a prefix operator that lacks operands', (t) => {
  t.throws(() => normalizeDomain(['|', A]), { instanceOf: ValidationError, message: /is missing 1 operand$/ });
  t.throws(() => normalizeDomain(['&', '|', A]), { instanceOf: ValidationError, message: /is missing 2 operands/ });
});

const combines = test.macro({
  exec(t, combine: (...domains: unknown[][]) => unknown[], domains: unknown[][], expected: unknown[]) {
    t.deepEqual(combine(...domains), expected);
  },
  title: (given, combine: { name: string }, domains: unknown[][], expected: unknown[]) =>
    `${combine.name}(${domains.map((x) => JSON.stringify(x)).join(', ')}) → ${JSON.stringify(expected)}${given ? ` (${given})` : ''}`,
});

const TRUE = [[1, '=', 1]];
const FALSE = [[0, '=', 1]];
const combineRows: Array<[(...domains: unknown[][]) => unknown[], unknown[][], unknown[], string?]> = [
  [andDomains, [[A], [B]], ['&', A, B]],
  [andDomains, [[A], [B, C]], ['&', A, '&', B, C]],
  [andDomains, [['|', A, B], [C]], ['&', '|', A, B, C]],
  [andDomains, [[A], [], TRUE], [A], 'TRUE and [] drop out of an AND'],
  [andDomains, [[A], FALSE, [B]], FALSE, 'FALSE absorbs an AND'],
  [andDomains, [], TRUE, 'the AND of nothing is TRUE'],
  [andDomains, [[], []], TRUE],
  [orDomains, [[A], [B]], ['|', A, B]],
  [orDomains, [[A], [B], [C]], ['|', '|', A, B, C]],
  [orDomains, [[A, B], [C]], ['|', '&', A, B, C]],
  [orDomains, [[A], FALSE], [A], 'FALSE drops out of an OR'],
  [orDomains, [[A], [], [B]], TRUE, 'an empty (TRUE) domain absorbs an OR'],
  [orDomains, [], FALSE, 'the OR of nothing is FALSE'],
];

for (const [combine, domains, expected, note] of combineRows) {
  if (note) test(note, combines, combine, domains, expected);
  else test(combines, combine, domains, expected);
}

const simplifies = test.macro({
  exec(t, input: DomainNode, expected: DomainNode) {
    t.deepEqual(simplify(input), expected);
  },
  title: (given) => `simplify ${given}`,
});

const simplifyRows: Array<[string, DomainNode, DomainNode]> = [
  ['flattens nested ANDs', and(and(a, b), c), and(a, b, c)],
  ['flattens nested ORs but not an AND inside an OR', or(or(a, and(b, c)), d), or(a, and(b, c), d)],
  ['drops TRUE from an AND', and(T, a, T, b), and(a, b)],
  ['reduces an AND of one term to the term', and(T, a), a],
  ['makes an AND with FALSE FALSE', and(a, F, b), F],
  ['drops FALSE from an OR', or(F, a), a],
  ['makes an OR with TRUE TRUE', or(a, and(T, T)), T],
  ['makes an AND of only TRUEs TRUE', and(T, T), T],
  ['makes an OR of only FALSEs FALSE', or(F, and(F, a)), F],
  ['removes double negation', not(not(a)), a],
  ['negates constants', and(not(F), not(not(b))), b],
  ['keeps NOT of a leaf', not(or(a, F)), not(a)],
  ['simplifies inside an any sub-domain', leaf('tag_ids', 'any', and(T, a)), leaf('tag_ids', 'any', a)],
  ['leaves a leaf untouched', leaf('x', 'in', [1]), leaf('x', 'in', [1])],
];

for (const [title, input, expected] of simplifyRows) test(title, simplifies, input, expected);

test('toDomainList turns a parsed tree back into an equivalent normalized wire domain', (t) => {
  const wire = ['|', A, '!', ['tag_ids', 'any', [B, C]], D];
  const tree = parseDomain(wire);
  const back = toDomainList(tree);
  t.deepEqual(back, ['&', '|', A, '!', ['tag_ids', 'any', ['&', B, C]], D]);
  t.deepEqual(parseDomain(back), tree);
});

test('parseDomain does not mutate its input', (t) => {
  const domain = [['id', 'in', 3], ['state', '<>', 'done']];
  const copy = structuredClone(domain);
  parseDomain(domain);
  t.deepEqual(domain, copy);
});
