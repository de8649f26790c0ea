/**
 * Parses Odoo domains as they arrive on the wire (JSON arrays) into a `DomainNode` tree.
 * Owns the shape checks: operators, arity of the prefix operators, field-path syntax (which is
 * what keeps SQL out of field names) and the value shape of `in`/`any`. It does NOT know models
 * or fields: whether `partner_id.name` exists is the compiler's business.
 *
 * Odoo domains are Polish (prefix) notation with an implicit AND between consecutive terms.
 * Parsing right to left with a stack makes both fall out naturally:
 *
 *   ['|', A, B, C]    push C, push B, push A, '|' pops A and B → stack [C, A|B]
 *                     leftovers are AND-ed in source order      → (A | B) & C
 */
import { ValidationError, err } from '../../errors.ts';

/** Leaf operators after normalisation (`<>` is accepted on input and becomes `!=`). */
export const OPERATORS = [
  '=', '!=', '>', '>=', '<', '<=', 'like', 'ilike', 'not like', 'not ilike', '=like', '=ilike',
  'in', 'not in', 'child_of', 'parent_of', 'any', 'not any',
] as const;

export type Operator = (typeof OPERATORS)[number];

/** The parsed form of a domain. `any`/`not any` leaves carry a parsed `DomainNode` as value. */
export type DomainNode =
  | { kind: 'and' | 'or'; children: DomainNode[] }
  | { kind: 'not'; child: DomainNode }
  | { kind: 'leaf'; path: string[]; operator: Operator; value: unknown }
  | { kind: 'true' }
  | { kind: 'false' };

/** Odoo's constant leaves: `(1, '=', 1)` is always true, `(0, '=', 1)` always false. */
export const TRUE_LEAF: readonly [1, '=', 1] = [1, '=', 1];
export const FALSE_LEAF: readonly [0, '=', 1] = [0, '=', 1];

/** The prefix operators and how many operands each takes. */
export const LOGICAL_ARITY: Readonly<Record<string, number>> = { '&': 2, '|': 2, '!': 1 };

const OPERATOR_SET = new Set<string>(OPERATORS);
const ALIASES: Readonly<Record<string, Operator>> = { '<>': '!=' };
const FIELD_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Validates a wire domain and builds its tree: implicit AND between top-level terms, prefix
 * `&`/`|`/`!` with arity checks, `<>` → `!=`, scalar `in` values wrapped in a list, `any`
 * values parsed recursively. An empty domain is `{kind: 'true'}`.
 * @throws ValidationError naming the offending item and its index.
 */
export function parseDomain(domain: unknown): DomainNode {
  return parseItems(domain, '');
}

/** `where` is '' at top level, or says which `any` leaf a nested domain belongs to. */
function parseItems(domain: unknown, where: string): DomainNode {
  if (!Array.isArray(domain)) throw invalid(`expected a list, got ${typeName(domain)}`, where);
  const stack: DomainNode[] = [];
  for (let index = domain.length - 1; index >= 0; index--) {
    const item: unknown = domain[index];
    if (typeof item === 'string') {
      stack.push(applyLogical(item, index, stack, where));
    } else if (Array.isArray(item)) {
      stack.push(parseLeaf(item, index, where));
    } else {
      throw invalid(`item #${index} must be '&', '|', '!' or a [field, operator, value] leaf, got ${show(item)}`, where);
    }
  }
  if (stack.length === 0) return { kind: 'true' };
  return stack.length === 1 ? stack[0] : { kind: 'and', children: stack.reverse() };
}

function applyLogical(op: string, index: number, stack: DomainNode[], where: string): DomainNode {
  const arity = Object.hasOwn(LOGICAL_ARITY, op) ? LOGICAL_ARITY[op] : undefined;
  if (arity === undefined) throw invalid(`unknown logical operator ${show(op)} at #${index}`, where);
  if (stack.length < arity) throw invalid(`'${op}' at #${index} expects ${arity} operand${arity > 1 ? 's' : ''}, got ${stack.length}`, where);
  if (op === '!') return { kind: 'not', child: stack.pop()! };
  const children = [stack.pop()!, stack.pop()!];
  return { kind: op === '&' ? 'and' : 'or', children };
}

/**
 * A leaf's name in error messages, built only when one is thrown. A class, not an object
 * with an arrow function: under tsx (esbuild keepNames) every arrow created per call also
 * costs an Object.defineProperty of its name — per leaf, per request.
 */
class LeafLabel {
  constructor(private readonly index: number, private readonly item: unknown[]) {}
  toString(): string {
    return `leaf #${this.index} ${show(this.item)}`;
  }
}

function parseLeaf(item: unknown[], index: number, where: string): DomainNode {
  const label = new LeafLabel(index, item);
  if (item.length !== 3) throw invalid(`${label} must have 3 elements, got ${item.length}`, where);
  const [left, rawOperator, rawValue] = item;
  if (rawOperator === '=' && rawValue === 1 && (left === 1 || left === 0)) return { kind: left === 1 ? 'true' : 'false' };
  if (typeof left !== 'string') throw invalid(`field name must be a string in ${label}`, where);
  const path = parsePath(left, index, where);
  const operator = parseOperator(rawOperator, label, where);
  return { kind: 'leaf', path, operator, value: parseValue(operator, rawValue, index, label, where) };
}

function parsePath(path: string, index: number, where: string): string[] {
  const parts = path.split('.');
  if (!parts.every((part) => FIELD_NAME_RE.test(part))) {
    throw err(ValidationError, 'Invalid field name %s in leaf #%s%s', JSON.stringify(path), index, where);
  }
  return parts;
}

function parseOperator(raw: unknown, label: { toString(): string }, where: string): Operator {
  if (typeof raw === 'string' && Object.hasOwn(ALIASES, raw)) return ALIASES[raw];
  if (typeof raw === 'string' && OPERATOR_SET.has(raw)) return raw as Operator;
  throw invalid(`unknown operator ${show(raw)} in ${label}`, where);
}

function parseValue(operator: Operator, value: unknown, index: number, label: { toString(): string }, where: string): unknown {
  if (operator === 'in' || operator === 'not in') return Array.isArray(value) ? value : [value];
  if (operator === 'any' || operator === 'not any') {
    if (!Array.isArray(value)) throw invalid(`operator '${operator}' expects a domain (a list) in ${label}`, where);
    return parseItems(value, ` (in the '${operator}' domain of leaf #${index})${where}`);
  }
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    throw invalid(`unsupported value ${String(value)} in ${label}`, where);
  }
  return value;
}

function invalid(message: string, where: string): ValidationError {
  return err(ValidationError, 'Invalid domain: %s%s', message, where);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'list' : typeof value;
}

/** Items in messages are shown as JSON (the wire format); strings in single quotes like Odoo. */
function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
