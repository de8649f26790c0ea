/**
 * A safe evaluator for the Python-literal expression language of Odoo: `eval="..."` in data
 * files, `ir.rule` domains, action `domain`/`context` strings and view modifiers
 * (`invisible="state != 'closed'"`). Owns the tokenizer, the recursive-descent parser (source →
 * `Expr` AST) and the tree-walking evaluator with Python semantics (truthiness, `and`/`or`
 * returning operands, deep `==`, floor division, negative indexes).
 *
 * It does NOT own what names mean: `ref`, `user`, `context_today`… come from the caller's scope.
 * Never uses JavaScript `eval`/`Function`, and imports nothing from Node: the web client bundles
 * this file too. Attribute access only reads own properties, so prototypes stay out of reach.
 *
 *   source ──tokenize──▶ Token[] ──parse──▶ Expr ──evaluate(scope)──▶ value
 */
import { ValidationError, err } from '../errors.ts';

/** The AST produced by {@link parseExpression}; mirrors Python's `ast` node kinds. */
export type Expr =
  | { type: 'const'; value: unknown }
  | { type: 'name'; name: string }
  | { type: 'list' | 'tuple'; items: Expr[] }
  | { type: 'dict'; entries: Array<[Expr, Expr]> }
  | { type: 'attr'; object: Expr; name: string }
  | { type: 'subscript'; object: Expr; index: Expr }
  | { type: 'call'; callee: Expr; args: Expr[]; kwargs: Array<[string, Expr]> }
  | { type: 'unary'; op: '-' | '+' | 'not'; operand: Expr }
  | { type: 'binary'; op: ArithOp; left: Expr; right: Expr }
  | { type: 'compare'; left: Expr; ops: CompareOp[]; comparators: Expr[] }
  | { type: 'bool'; op: 'and' | 'or'; left: Expr; right: Expr }
  | { type: 'cond'; test: Expr; then: Expr; otherwise: Expr };

type ArithOp = '+' | '-' | '*' | '/' | '//' | '%';
type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'in' | 'not in' | 'is' | 'is not';
type Token = { kind: 'num' | 'str' | 'name' | 'op' | 'space' | 'eof'; text: string; value?: unknown; pos: number };

// ───────────────────────────── tokenizer ─────────────────────────────

/** One sticky regex per token kind, tried in this order at the current position. */
const TOKEN_RES: Array<[Token['kind'], RegExp]> = [
  ['space', /\s+/y],
  ['num', /0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?/y],
  ['name', /[A-Za-z_][A-Za-z0-9_]*/y],
  ['op', /\/\/|==|!=|<>|<=|>=|[<>+\-*/%()[\]{},:.=]/y],
];
const STRING_START_RE = /([rRuUbB]{0,2})('''|"""|'|")/y;
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'lambda', 'for']);
const ESCAPES = new Map(Object.entries({
  n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '',
}));
const HEX_ESCAPES = new Map([['x', 2], ['u', 4], ['U', 8]]);

function syntaxError(src: string, pos: number, message: string): ValidationError {
  return err(ValidationError, 'Syntax error at column %s in %s: %s', pos + 1, JSON.stringify(src), message);
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  for (let pos = 0; pos < src.length;) {
    const token = readString(src, pos) ?? readSimpleToken(src, pos);
    if (token.kind !== 'space') tokens.push(token);
    pos += token.text.length;
  }
  tokens.push({ kind: 'eof', text: '', pos: src.length });
  return tokens;
}

function readSimpleToken(src: string, pos: number): Token {
  for (const [kind, re] of TOKEN_RES) {
    re.lastIndex = pos;
    const text = re.exec(src)?.[0];
    if (!text || text === '.' && kind === 'num') continue;
    return { kind, text, pos, value: kind === 'num' ? Number(text.replace(/_/g, '')) : undefined };
  }
  throw syntaxError(src, pos, `unexpected character '${src[pos]}'`);
}

/** Reads a (possibly prefixed, possibly triple-quoted) string literal starting at `start`. */
function readString(src: string, start: number): Token | undefined {
  STRING_START_RE.lastIndex = start;
  const m = STRING_START_RE.exec(src);
  if (!m) return undefined;
  const [raw, quote] = [/r/i.test(m[1]), m[2]];
  let pos = start + m[0].length;
  let value = '';
  while (!src.startsWith(quote, pos)) {
    const ch = src[pos];
    if (ch === undefined || (ch === '\n' && quote.length === 1)) throw syntaxError(src, start, 'unterminated string literal');
    const [text, length] = ch !== '\\' ? [ch, 1] : raw ? [src.slice(pos, pos + 2), 2] : readEscape(src, pos);
    value += text;
    pos += length;
  }
  return { kind: 'str', text: src.slice(start, pos + quote.length), value, pos: start };
}

/** Decodes the escape sequence at `pos` (a backslash); returns the text and its source length. */
function readEscape(src: string, pos: number): [string, number] {
  const next = src[pos + 1] ?? '';
  const simple = ESCAPES.get(next);
  if (simple !== undefined) return [simple, 2];
  const hexLength = HEX_ESCAPES.get(next);
  if (hexLength) {
    const hex = src.slice(pos + 2, pos + 2 + hexLength);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) throw syntaxError(src, pos, `invalid \\${next} escape`);
    return [String.fromCodePoint(parseInt(hex, 16)), 2 + hexLength];
  }
  const octal = /^[0-7]{1,3}/.exec(src.slice(pos + 1, pos + 4));
  if (octal) return [String.fromCharCode(parseInt(octal[0], 8)), 1 + octal[0].length];
  return ['\\' + next, 2]; // Python keeps unknown escapes verbatim
}

// ───────────────────────────── parser ─────────────────────────────

const CONSTANTS = new Map<string, unknown>([['True', true], ['False', false], ['None', null]]);
const COMPARE_OPS = new Set(['==', '!=', '<>', '<', '>', '<=', '>=', 'in', 'not', 'is']);
const BINARY_LEVELS = [['+', '-'], ['*', '/', '//', '%']];

/** Recursive descent over Python's expression grammar, lowest precedence first. */
class Parser {
  private i = 0;
  constructor(private readonly src: string, private readonly tokens: Token[]) {}

  parseAll(): Expr {
    const expr = this.exprList();
    if (this.peek().kind !== 'eof') this.fail('expected end of expression');
    return expr;
  }

  private peek(offset = 0): Token { return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]; }
  private next(): Token { return this.tokens[this.i++]; }
  private isOp(text: string): boolean { const t = this.peek(); return (t.kind === 'op' || t.kind === 'name') && t.text === text; }
  private accept(text: string): boolean { if (!this.isOp(text)) return false; this.i++; return true; }
  private expect(text: string, what = `'${text}'`): void { if (!this.accept(text)) this.fail(`expected ${what}`); }

  private fail(message: string): never {
    const t = this.peek();
    const found = t.kind === 'eof' ? 'end of input' : t.kind === 'str' ? t.text : `'${t.text}'`;
    throw syntaxError(this.src, t.pos, `${message}, got ${found}`);
  }

  /** `a, b` at top level or in a subscript is a tuple, as in Python. */
  private exprList(closer?: string): Expr {
    const first = this.test();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.accept(',') && this.peek().kind !== 'eof' && !this.isOp(closer ?? '')) items.push(this.test());
    return { type: 'tuple', items };
  }

  /** Comma-separated `item()`s up to `closer` (consumed); a trailing comma is allowed. */
  private commaList<T>(closer: string, item: () => T): T[] {
    const items: T[] = [];
    while (!this.accept(closer)) {
      items.push(item());
      if (!this.isOp(closer)) this.expect(',', `',' or '${closer}'`);
    }
    return items;
  }

  private test(): Expr {
    if (this.isOp('lambda')) this.fail('lambda is not supported');
    const then = this.boolOp('or');
    if (!this.accept('if')) return then;
    const test = this.boolOp('or');
    this.expect('else');
    return { type: 'cond', test, then, otherwise: this.test() };
  }

  private boolOp(op: 'and' | 'or'): Expr {
    const operand = () => (op === 'or' ? this.boolOp('and') : this.notTest());
    let left = operand();
    while (this.accept(op)) left = { type: 'bool', op, left, right: operand() };
    return left;
  }

  private notTest(): Expr {
    return this.accept('not') ? { type: 'unary', op: 'not', operand: this.notTest() } : this.comparison();
  }

  /** Chained like Python: `a < b < c` means `a < b and b < c`. */
  private comparison(): Expr {
    const left = this.binary(0);
    const ops: CompareOp[] = [];
    const comparators: Expr[] = [];
    while (this.peek().kind !== 'str' && COMPARE_OPS.has(this.peek().text)) {
      ops.push(this.compareOp());
      comparators.push(this.binary(0));
    }
    return ops.length ? { type: 'compare', left, ops, comparators } : left;
  }

  private compareOp(): CompareOp {
    const text = this.next().text;
    if (text === 'not') { this.expect('in', "'in' after 'not'"); return 'not in'; }
    if (text === 'is') return this.accept('not') ? 'is not' : 'is';
    return (text === '<>' ? '!=' : text) as CompareOp;
  }

  /** Left-associative levels of BINARY_LEVELS, then unary signs. */
  private binary(level: number): Expr {
    if (level === BINARY_LEVELS.length) return this.factor();
    let left = this.binary(level + 1);
    while (this.peek().kind === 'op' && BINARY_LEVELS[level].includes(this.peek().text)) {
      const op = this.next().text as ArithOp;
      left = { type: 'binary', op, left, right: this.binary(level + 1) };
    }
    return left;
  }

  private factor(): Expr {
    const t = this.peek();
    if (t.kind !== 'op' || (t.text !== '-' && t.text !== '+')) return this.trailers(this.atom());
    this.i++;
    const operand = this.factor();
    if (operand.type !== 'const' || typeof operand.value !== 'number') return { type: 'unary', op: t.text, operand };
    return { type: 'const', value: t.text === '-' ? -operand.value : operand.value };
  }

  /** Attribute access, subscripts and calls after an atom: `user.partner_id.id`, `a[0]`, `ref('x')`. */
  private trailers(expr: Expr): Expr {
    for (;;) {
      if (this.accept('.')) {
        if (this.peek().kind !== 'name') this.fail('expected an attribute name');
        expr = { type: 'attr', object: expr, name: this.next().text };
      } else if (this.accept('[')) {
        expr = { type: 'subscript', object: expr, index: this.exprList(']') };
        this.expect(']');
      } else if (this.accept('(')) {
        expr = this.callArgs(expr);
      } else {
        return expr;
      }
    }
  }

  private callArgs(callee: Expr): Expr {
    const args: Expr[] = [];
    const kwargs: Array<[string, Expr]> = [];
    this.commaList(')', () => {
      if (this.peek().kind === 'name' && this.peek(1).text === '=') {
        const key = this.next().text;
        this.i++;
        kwargs.push([key, this.test()]);
      } else {
        if (kwargs.length) this.fail('positional argument follows keyword argument');
        args.push(this.test());
      }
    });
    return { type: 'call', callee, args, kwargs };
  }

  private atom(): Expr {
    const t = this.peek();
    if (t.kind === 'name' && KEYWORDS.has(t.text)) this.fail('expected an expression');
    if (t.kind === 'num' || t.kind === 'name') this.i++;
    if (t.kind === 'num') return { type: 'const', value: t.value };
    if (t.kind === 'name') return CONSTANTS.has(t.text) ? { type: 'const', value: CONSTANTS.get(t.text) } : { type: 'name', name: t.text };
    if (t.kind === 'str') return this.strings();
    if (this.accept('(')) return this.parenthesised();
    if (this.accept('[')) return { type: 'list', items: this.commaList(']', () => this.test()) };
    if (this.accept('{')) return { type: 'dict', entries: this.commaList('}', () => this.dictEntry()) };
    return this.fail('expected an expression');
  }

  /** Adjacent literals concatenate: `'a' 'b'` == `'ab'`. */
  private strings(): Expr {
    let value = '';
    while (this.peek().kind === 'str') value += this.next().value as string;
    return { type: 'const', value };
  }

  /** `()` → empty tuple, `(x)` → x, `(x,)` / `(x, y)` → tuple. */
  private parenthesised(): Expr {
    if (this.accept(')')) return { type: 'tuple', items: [] };
    const inner = this.test();
    if (this.accept(')')) return inner;
    this.expect(',', "',' or ')'");
    return { type: 'tuple', items: [inner, ...this.commaList(')', () => this.test())] };
  }

  private dictEntry(): [Expr, Expr] {
    const key = this.test();
    this.expect(':');
    return [key, this.test()];
  }
}

/** Parses a Python expression into an {@link Expr}; throws ValidationError on bad syntax. */
export function parseExpression(src: string): Expr {
  if (typeof src !== 'string') throw err(ValidationError, 'Expression must be a string, got %s', typeof src);
  try {
    return new Parser(src, tokenize(src)).parseAll();
  } catch (e) {
    if (e instanceof RangeError) throw err(ValidationError, 'Expression is nested too deeply: %s…', src.slice(0, 80));
    throw e;
  }
}

// ───────────────────────────── evaluator ─────────────────────────────

/** Parsed sources, so view modifiers evaluated per record are parsed once (oldest evicted first). */
const cache = new Map<string, Expr>();

function parseCached(src: string): Expr {
  let expr = cache.get(src);
  if (expr) return expr;
  if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
  cache.set(src, (expr = parseExpression(src)));
  return expr;
}

/**
 * Evaluates `src` against `scope` with Python semantics. Tuples become arrays, dicts plain
 * objects, `None` null. Keyword arguments of a call are passed as one trailing object.
 * @throws ValidationError on syntax errors, unknown names, missing attributes, type errors.
 */
export function evaluate(src: string | Expr, scope: Record<string, unknown> = {}): unknown {
  return evalNode(typeof src === 'string' ? parseCached(src) : src, scope);
}

/** Evaluates a pure literal (no names in scope): `literalEval("[(6, 0, [1, 2])]")`. */
export function literalEval(src: string): unknown {
  return evaluate(src, {});
}

/** Python truthiness: `None`, `False`, `0`, `''`, `[]` and `{}` are falsy. */
export function pythonTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

function evalNode(node: Expr, scope: Record<string, unknown>): unknown {
  switch (node.type) {
    case 'const': return node.value;
    case 'name': return lookupName(node.name, scope);
    case 'list': case 'tuple': return node.items.map((item) => evalNode(item, scope));
    case 'dict': return buildDict(node.entries, scope);
    case 'attr': return getAttribute(evalNode(node.object, scope), node.name);
    case 'subscript': return getItem(evalNode(node.object, scope), evalNode(node.index, scope));
    case 'call': return callFunction(node, scope);
    case 'unary': return unary(node.op, evalNode(node.operand, scope));
    case 'binary': return arithmetic(node.op, evalNode(node.left, scope), evalNode(node.right, scope));
    case 'compare': return compareChain(node, scope);
    case 'bool': {
      const left = evalNode(node.left, scope);
      return pythonTruthy(left) === (node.op === 'or') ? left : evalNode(node.right, scope);
    }
    case 'cond': return evalNode(pythonTruthy(evalNode(node.test, scope)) ? node.then : node.otherwise, scope);
  }
}

/** Scopes may be layered with prototypes; names of Object.prototype never resolve. */
function lookupName(name: string, scope: Record<string, unknown>): unknown {
  for (let layer: object | null = scope; layer && layer !== Object.prototype; layer = Object.getPrototypeOf(layer)) {
    if (Object.prototype.hasOwnProperty.call(layer, name)) return scope[name] ?? null;
  }
  throw err(ValidationError, "name '%s' is not defined", name);
}

function buildDict(entries: Array<[Expr, Expr]>, scope: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [keyExpr, valueExpr] of entries) {
    const key = evalNode(keyExpr, scope);
    if (typeof key !== 'string' && typeof key !== 'number') {
      throw err(ValidationError, 'dict keys must be strings or numbers, got %s', pyType(key));
    }
    Object.defineProperty(result, String(key), { value: evalNode(valueExpr, scope), enumerable: true, writable: true, configurable: true });
  }
  return result;
}

function getAttribute(obj: unknown, name: string): unknown {
  const isRecord = obj !== null && typeof obj === 'object' && !Array.isArray(obj);
  // Functions may carry attributes too (`datetime.datetime.combine`): only their own enumerable ones.
  const isNamespace = typeof obj === 'function' && Object.prototype.propertyIsEnumerable.call(obj, name);
  if ((isRecord && Object.prototype.hasOwnProperty.call(obj, name)) || isNamespace) {
    const value = (obj as Record<string, unknown>)[name];
    // Methods are bound to their object; namespace-like functions (with attributes) stay as they are.
    return typeof value === 'function' && Object.keys(value).length === 0 ? value.bind(obj) : value ?? null;
  }
  if (name === 'get' && isPlainObject(obj)) {
    return (key: unknown, fallback: unknown = null) => (hasKey(obj, key) ? obj[String(key)] ?? null : fallback);
  }
  throw err(ValidationError, "'%s' object has no attribute '%s'", pyType(obj), name);
}

function getItem(obj: unknown, index: unknown): unknown {
  if (Array.isArray(obj) || typeof obj === 'string') {
    if (typeof index !== 'number' || !Number.isInteger(index)) throw err(ValidationError, '%s indices must be integers, not %s', pyType(obj), pyType(index));
    const i = index < 0 ? obj.length + index : index;
    if (i < 0 || i >= obj.length) throw err(ValidationError, '%s index out of range', pyType(obj));
    return obj[i];
  }
  if (isPlainObject(obj)) {
    if (!hasKey(obj, index)) throw err(ValidationError, 'KeyError: %s', repr(index));
    return obj[String(index)] ?? null;
  }
  throw err(ValidationError, "'%s' object is not subscriptable", pyType(obj));
}

function callFunction(node: Extract<Expr, { type: 'call' }>, scope: Record<string, unknown>): unknown {
  const fn = evalNode(node.callee, scope);
  if (typeof fn !== 'function') throw err(ValidationError, "'%s' object is not callable", pyType(fn));
  const args = node.args.map((arg) => evalNode(arg, scope));
  if (node.kwargs.length) args.push(Object.fromEntries(node.kwargs.map(([k, v]) => [k, evalNode(v, scope)])));
  return fn(...args) ?? null;
}

function unary(op: '-' | '+' | 'not', value: unknown): unknown {
  if (op === 'not') return !pythonTruthy(value);
  if (!isNumeric(value)) throw err(ValidationError, "bad operand type for unary %s: '%s'", op, pyType(value));
  return op === '-' ? -value : Number(value);
}

function arithmetic(op: ArithOp, a: unknown, b: unknown): unknown {
  // Python's operator protocol for scope objects such as dates: `date + relativedelta(...)`.
  const dunder = op === '+' ? '__add__' : op === '-' ? '__sub__' : null;
  if (dunder && a !== null && typeof a === 'object' && Object.prototype.hasOwnProperty.call(a, dunder) && typeof (a as Record<string, unknown>)[dunder] === 'function') {
    return ((a as Record<string, unknown>)[dunder] as (x: unknown) => unknown).call(a, b);
  }
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (op === '+' && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (op === '*' && typeof a === 'string' && Number.isInteger(b)) return a.repeat(Math.max(0, b as number));
  if (!isNumeric(a) || !isNumeric(b)) {
    throw err(ValidationError, "unsupported operand type(s) for %s: '%s' and '%s'", op, pyType(a), pyType(b));
  }
  if ((op === '/' || op === '//' || op === '%') && Number(b) === 0) throw new ValidationError('division by zero');
  return ARITHMETIC[op](Number(a), Number(b));
}

/** Python semantics: `//` floors, `%` takes the sign of the divisor. */
const ARITHMETIC: Record<ArithOp, (x: number, y: number) => number> = {
  '+': (x, y) => x + y, '-': (x, y) => x - y, '*': (x, y) => x * y, '/': (x, y) => x / y,
  '//': (x, y) => Math.floor(x / y), '%': (x, y) => x - y * Math.floor(x / y),
};

function compareChain(node: Extract<Expr, { type: 'compare' }>, scope: Record<string, unknown>): boolean {
  let left = evalNode(node.left, scope);
  return node.ops.every((op, k) => {
    const right = evalNode(node.comparators[k], scope);
    const result = compare(op, left, right);
    left = right;
    return result;
  });
}

function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==': return pyEquals(a, b);
    case '!=': return !pyEquals(a, b);
    case 'is': return (a ?? null) === (b ?? null);
    case 'is not': return (a ?? null) !== (b ?? null);
    case 'in': return contains(b, a);
    case 'not in': return !contains(b, a);
    default: return ORDERINGS[op](orderSign(op, a, b));
  }
}

/** Python `==`: numbers and booleans compare numerically, lists and dicts deeply. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if ((a ?? null) === null || (b ?? null) === null) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => hasKey(b, k) && pyEquals(a[k], b[k]));
  }
  return a === b;
}

function contains(container: unknown, item: unknown): boolean {
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item));
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw err(ValidationError, "'in <string>' requires string as left operand, not %s", pyType(item));
    return container.includes(item);
  }
  if (isPlainObject(container)) return hasKey(container, item);
  throw err(ValidationError, "argument of type '%s' is not iterable", pyType(container));
}

const ORDERINGS: Record<string, (sign: number) => boolean> = {
  '<': (s) => s < 0, '>': (s) => s > 0, '<=': (s) => s <= 0, '>=': (s) => s >= 0,
};

/** -1, 0 or 1 like Python's ordering; lists compare lexicographically. */
function orderSign(op: CompareOp, a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) return Math.sign(Number(a) - Number(b));
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEquals(a[i], b[i])) return orderSign(op, a[i], b[i]);
    }
    return Math.sign(a.length - b.length);
  }
  throw err(ValidationError, "'%s' not supported between instances of '%s' and '%s'", op, pyType(a), pyType(b));
}

function isNumeric(v: unknown): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function hasKey(obj: Record<string, unknown>, key: unknown): boolean {
  return (typeof key === 'string' || typeof key === 'number') && Object.prototype.hasOwnProperty.call(obj, String(key));
}

/** The Python type name of a value, for error messages. */
function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v)) return 'list';
  return isPlainObject(v) ? 'dict' : 'object';
}

function repr(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}
