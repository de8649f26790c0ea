/**
 * The Python-literal evaluator: one table of expressions with their scope and expected value,
 * one table of bad inputs with the error they must produce.
 */
import test from 'ava';
import { evaluate, literalEval, parseExpression, pythonTruthy } from '../../core/data/literal-eval.ts';
import { ValidationError } from '../../core/errors.ts';

type Scope = Record<string, unknown>;

const refs: Record<string, number> = { 'base.group_user': 7, 'base.main_company': 1 };
const user = { id: 2, name: 'Mitchell', partner_id: { id: 3, name: 'Mitchell Admin' }, groups_id: [7, 9] };
const odoo: Scope = {
  ref: (xmlid: string) => refs[xmlid],
  user,
  uid: 2,
  context_today: () => '2024-05-17',
  context: { active_id: 42, lang: 'en_US' },
  time: { strftime: (fmt: string) => fmt.replace('%Y', '2024').replace('%m', '05') },
  relativedelta: (kw: Scope) => ({ delta: kw }),
  state: 'open',
  amount: 0,
  tags: [] as unknown[],
};

const evaluates = test.macro({
  exec(t, src: string, scope: Scope, expected: unknown) {
    t.deepEqual(evaluate(src, scope), expected);
  },
  title: (given, src: string, _scope: Scope, expected: unknown) => given ?? `${src} evaluates to ${JSON.stringify(expected)}`,
});

const rows: Array<[string, Scope, unknown]> = [
  // literals
  ['42', {}, 42],
  ['-7', {}, -7],
  ['3.25', {}, 3.25],
  ['-0.5e2', {}, -50],
  ['1_000', {}, 1000],
  ['0x1F', {}, 31],
  ["'single'", {}, 'single'],
  ['"double"', {}, 'double'],
  ["'it\\'s\\n\\ttab'", {}, "it's\n\ttab"],
  ["'\\x41\\u00e9'", {}, 'Aé'],
  ["'''triple 'quoted'\nline'''", {}, "triple 'quoted'\nline"],
  ['"""doc"""', {}, 'doc'],
  ["r'\\d+'", {}, '\\d+'],
  ["u'unicode' ' more'", {}, 'unicode more'],
  ['True', {}, true],
  ['False', {}, false],
  ['None', {}, null],
  // containers
  ['[1, 2, 3,]', {}, [1, 2, 3]],
  ['[]', {}, []],
  ['(1,)', {}, [1]],
  ['()', {}, []],
  ['(1)', {}, 1],
  ["('a', 'b')", {}, ['a', 'b']],
  ['1, 2', {}, [1, 2]],
  ["{'default_state': 'new', 'search_default_my': 1}", {}, { default_state: 'new', search_default_my: 1 }],
  ['{1: "one", "two": [2]}', {}, { 1: 'one', two: [2] }],
  ['{}', {}, {}],
  // Odoo data-file and domain shapes
  ["[(6, 0, [ref('base.group_user')])]", odoo, [[6, 0, [7]]]],
  ["[(4, ref('base.group_user'))]", odoo, [[4, 7]]],
  ["[(0, 0, {'name': 'Line', 'qty': 2})]", {}, [[0, 0, { name: 'Line', qty: 2 }]]],
  ["[('user_id', '=', user.id)]", odoo, [['user_id', '=', 2]]],
  ["['|', ('a','=',1), ('b','in',[1,2])]", {}, ['|', ['a', '=', 1], ['b', 'in', [1, 2]]]],
  ["[('partner_id', 'child_of', [user.partner_id.id])]", odoo, [['partner_id', 'child_of', [3]]]],
  ["[('date', '>=', context_today())]", odoo, [['date', '>=', '2024-05-17']]],
  ["{'default_res_id': context.get('active_id'), 'missing': context.get('nope', False)}", odoo, { default_res_id: 42, missing: false }],
  ["time.strftime('%Y-%m-01')", odoo, '2024-05-01'],
  ['relativedelta(days=-1)', odoo, { delta: { days: -1 } }],
  // names, attributes, subscripts
  ['uid', odoo, 2],
  ['user.partner_id.name', odoo, 'Mitchell Admin'],
  ['user.groups_id[0]', odoo, 7],
  ['user.groups_id[-1]', odoo, 9],
  ["context['lang']", odoo, 'en_US'],
  ["'abc'[1]", {}, 'b'],
  // comparisons
  ["state != 'closed'", odoo, true],
  ["state == 'closed'", odoo, false],
  ['1 < 2', {}, true],
  ['2 >= 3', {}, false],
  ["'a' <= 'b'", {}, true],
  ['[1, 2] == [1, 2]', {}, true],
  ['[1, [2, 3]] == [1, [2, 4]]', {}, false],
  ["{'a': [1]} == {'a': [1]}", {}, true],
  ['(1, 2) == [1, 2]', {}, true],
  ['True == 1', {}, true],
  ['1 <> 2', {}, true],
  ['1 < 2 < 3', {}, true],
  ['3 > 2 > 2', {}, false],
  ["1 < 2 == 'x'", {}, false],
  ['[1, 2] < [1, 3]', {}, true],
  ['[1, 2] >= [1, 2, 0]', {}, false],
  ['0o17 + 0b11', {}, 18],
  ['7 in user.groups_id', odoo, true],
  ['8 not in user.groups_id', odoo, true],
  ["'ell' in 'hello'", {}, true],
  ["'lang' in context", odoo, true],
  ["'tz' not in context", odoo, true],
  ['[1, 2] in [[1, 2], [3]]', {}, true],
  ['None is None', {}, true],
  ['amount is not None', odoo, true],
  ['missing is None', { missing: undefined }, true],
  // boolean logic with Python truthiness
  ["state in ('open', 'pending') and amount", odoo, 0],
  ["tags or 'fallback'", odoo, 'fallback'],
  ['0 or [] or {}', {}, {}],
  ["'x' and 'y'", {}, 'y'],
  ['not tags', odoo, true],
  ['not not 3', {}, true],
  ['not 1 == 2', {}, true],
  ["'' or None", {}, null],
  // arithmetic
  ['1 + 2 * 3', {}, 7],
  ['(1 + 2) * 3', {}, 9],
  ['7 / 2', {}, 3.5],
  ['7 // 2', {}, 3],
  ['-7 // 2', {}, -4],
  ['-7 % 3', {}, 2],
  ['- - 2', {}, 2],
  ['-(1 + 2)', {}, -3],
  ['-uid', odoo, -2],
  ['10 - 2 - 3', {}, 5],
  ['[1] + [2, 3]', {}, [1, 2, 3]],
  ["'ab' + 'cd'", {}, 'abcd'],
  ["'ab' * 2", {}, 'abab'],
  ['True + 1', {}, 2],
  // conditional expression
  ["'big' if amount > 10 else 'small'", odoo, 'small'],
  ["'a' if 1 else 'b' if 0 else 'c'", {}, 'a'],
  ["'a' if 0 else 'b' if 0 else 'c'", {}, 'c'],
  // whitespace and newlines as found in data files
  ["[\n  ('state', '=', 'open'),\n  ('user_id', '=', uid),\n]", odoo, [['state', '=', 'open'], ['user_id', '=', 2]]],
];

for (const [src, scope, expected] of rows) test(evaluates, src, scope, expected);

const rejects = test.macro({
  exec(t, src: string, scope: Scope, fragment: string) {
    const error = t.throws(() => evaluate(src, scope), { instanceOf: ValidationError });
    t.true(error?.message.includes(fragment), `message was: ${error?.message}`);
  },
  title: (given, src: string, _scope: Scope, fragment: string) => given ?? `${JSON.stringify(src)} is rejected with "${fragment}"`,
});

const bad: Array<[string, Scope, string]> = [
  ["[('a', '=' 1)]", {}, `Syntax error at column 12 in "[('a', '=' 1)]": expected ',' or ')', got '1'`],
  ['[1, 2', {}, "expected ',' or ']', got end of input"],
  ["{'a' 1}", {}, "Syntax error at column 6 in \"{'a' 1}\": expected ':', got '1'"],
  ["{'a': 1 'b': 2}", {}, "expected ',' or '}', got 'b'"],
  ["'unterminated", {}, 'Syntax error at column 1 in "\'unterminated": unterminated string literal'],
  ["'line\nbreak'", {}, 'unterminated string literal'],
  ['1 +', {}, 'Syntax error at column 4 in "1 +": expected an expression, got end of input'],
  ['a b', { a: 1, b: 2 }, "expected end of expression, got 'b'"],
  ['x = 1', {}, "expected end of expression, got '='"],
  ['1 ; 2', {}, "unexpected character ';'"],
  ['a.', { a: {} }, 'expected an attribute name, got end of input'],
  ['lambda: 1', {}, 'lambda is not supported'],
  ['[x for x in y]', {}, "expected ',' or ']', got 'for'"],
  ['1 if 2', {}, "expected 'else', got end of input"],
  ['a not b', { a: 1, b: 2 }, "expected 'in' after 'not', got 'b'"],
  ["f(a=1, 2)", { f: () => 0, a: 0 }, 'positional argument follows keyword argument'],
  ["'\\x4'", {}, 'invalid \\x escape'],
  ['x', {}, "name 'x' is not defined"],
  ['toString', {}, "name 'toString' is not defined"],
  ['user.login', odoo, "'dict' object has no attribute 'login'"],
  ['user.constructor', odoo, "'dict' object has no attribute 'constructor'"],
  ['user.__proto__', odoo, "'dict' object has no attribute '__proto__'"],
  ['user.groups_id.length', odoo, "'list' object has no attribute 'length'"],
  ['None.id', {}, "'NoneType' object has no attribute 'id'"],
  ['[1][3]', {}, 'list index out of range'],
  ["[1]['a']", {}, 'list indices must be integers, not str'],
  ["context['tz']", odoo, "KeyError: 'tz'"],
  ['uid()', odoo, "'int' object is not callable"],
  ['5[0]', {}, "'int' object is not subscriptable"],
  ['{[1]: 2}', {}, 'dict keys must be strings or numbers, got list'],
  ["1 + 'a'", {}, "unsupported operand type(s) for +: 'int' and 'str'"],
  ["-'a'", {}, "bad operand type for unary -: 'str'"],
  ['1 / 0', {}, 'division by zero'],
  ['2 ** 3', {}, "Syntax error at column 4 in \"2 ** 3\": expected an expression, got '*'"],
  ['5 % 0', {}, 'division by zero'],
  ["None < 1", {}, "'<' not supported between instances of 'NoneType' and 'int'"],
  ["1 in 'abc'", {}, "'in <string>' requires string as left operand, not int"],
  ['1 in 5', {}, "argument of type 'int' is not iterable"],
];

for (const [src, scope, fragment] of bad) test(rejects, src, scope, fragment);

const truthiness: Array<[unknown, boolean]> = [
  [null, false], [undefined, false], [false, false], [0, false], ['', false], [[], false], [{}, false],
  [true, true], [1, true], [-1, true], ['0', true], [[0], true], [{ a: null }, true], [() => 0, true],
];

test('pythonTruthy follows Python: empty containers, zero, None and False are falsy', (t) => {
  t.deepEqual(truthiness.map(([value]) => pythonTruthy(value)), truthiness.map(([, expected]) => expected));
});

test('literalEval evaluates with an empty scope, so names are undefined', (t) => {
  t.deepEqual(literalEval("[(6, 0, [1, 2])]"), [[6, 0, [1, 2]]]);
  t.throws(() => literalEval('ref("x")'), { instanceOf: ValidationError, message: "name 'ref' is not defined" });
});

test('parseExpression returns an AST that evaluate accepts and can reuse with other scopes', (t) => {
  const ast = parseExpression("state == 'done' or priority > 1");
  t.is(ast.type, 'bool');
  t.is(evaluate(ast, { state: 'done', priority: 0 }), true);
  t.is(evaluate(ast, { state: 'open', priority: 0 }), false);
  t.is(evaluate(ast, { state: 'open', priority: 2 }), true);
});

test('and/or short-circuit: the right operand is not evaluated when the left decides', (t) => {
  t.is(evaluate('0 and undefined_name'), 0);
  t.is(evaluate("'x' or undefined_name"), 'x');
  t.is(evaluate('1 if True else undefined_name'), 1);
});

test('names resolve through layered (prototype-chained) scopes', (t) => {
  const base = { company_id: 1 };
  const layered = Object.assign(Object.create(base) as Record<string, unknown>, { uid: 5 });
  t.deepEqual(evaluate('[uid, company_id]', layered), [5, 1]);
});

test('dict literals with a __proto__ key create an own key, not a prototype', (t) => {
  const value = evaluate("{'__proto__': {'polluted': 1}}") as Record<string, unknown>;
  t.deepEqual(Object.keys(value), ['__proto__']);
  t.is(Object.getPrototypeOf(value), Object.prototype);
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('method calls keep their object as this', (t) => {
  const counter = { n: 3, next(this: { n: number }) { return this.n + 1; } };
  t.is(evaluate('counter.next()', { counter }), 4);
});

test('absurdly nested input is a ValidationError, not a stack overflow', (t) => {
  t.throws(() => parseExpression('['.repeat(50_000)), { instanceOf: ValidationError, message: /nested too deeply/ });
});

test('a chained comparison stops at the first false link without evaluating the rest', (t) => {
  t.is(evaluate('3 < 2 < undefined_name'), false);
});
