/**
 * Domain algebra on both forms: wire arrays (Odoo's `normalize_domain`, `AND`, `OR`) and parsed
 * trees (`simplify`, `toDomainList`). Owns nothing about validation beyond arity — leaves are
 * checked by `parseDomain` — and nothing about SQL.
 *
 *   normalizeDomain([A, B, '|', C, D])  →  ['&', '&', A, B, '|', C, D]
 *   andDomains([A], [B, C])             →  ['&', A, '&', B, C]
 */
import { ValidationError, err } from '../../errors.ts';
import { FALSE_LEAF, LOGICAL_ARITY, TRUE_LEAF, type DomainNode } from './parse.ts';

type Constant = typeof TRUE_LEAF | typeof FALSE_LEAF;

/**
 * Makes every implicit AND explicit, as Odoo's `normalize_domain`; `[]` becomes `[TRUE_LEAF]`.
 * Leaves are kept as they are (not validated here).
 * @throws ValidationError when a prefix operator lacks operands.
 */
export function normalizeDomain(domain: unknown[]): unknown[] {
  if (!Array.isArray(domain)) throw err(ValidationError, 'Invalid domain: expected a list, got %s', domain === null ? 'null' : typeof domain);
  if (domain.length === 0) return [[...TRUE_LEAF]];
  const result: unknown[] = [];
  let expected = 1; // terms still needed to complete the expression read so far
  for (const token of domain) {
    if (expected === 0) {
      result.unshift('&');
      expected = 1;
    }
    const arity = typeof token === 'string' && Object.hasOwn(LOGICAL_ARITY, token) ? LOGICAL_ARITY[token] : 0;
    expected += arity - 1;
    result.push(token);
  }
  if (expected !== 0) {
    throw err(ValidationError, 'Invalid domain: %s is missing %s operand%s', JSON.stringify(domain), expected, expected > 1 ? 's' : '');
  }
  return result;
}

/** AND of wire domains, as Odoo's `expression.AND`: `[]` counts as TRUE, a FALSE domain wins. */
export function andDomains(...domains: unknown[][]): unknown[] {
  return combine('&', TRUE_LEAF, FALSE_LEAF, domains);
}

/** OR of wire domains, as Odoo's `expression.OR`: `[]` counts as TRUE and wins, FALSE drops out. */
export function orDomains(...domains: unknown[][]): unknown[] {
  return combine('|', FALSE_LEAF, TRUE_LEAF, domains);
}

/**
 * Odoo's `combine`. Unlike Odoo, an empty domain is normalised before the unit/zero checks, so
 * `orDomains([], X)` is TRUE (Odoo's callers normalise first to get the same result).
 */
function combine(op: '&' | '|', unit: Constant, zero: Constant, domains: unknown[][]): unknown[] {
  const terms: unknown[] = [];
  let count = 0;
  for (const domain of domains) {
    const normalized = normalizeDomain(domain);
    if (isConstantDomain(normalized, unit)) continue;
    if (isConstantDomain(normalized, zero)) return [[...zero]];
    terms.push(...normalized);
    count += 1;
  }
  return count === 0 ? [[...unit]] : [...Array<string>(count - 1).fill(op), ...terms];
}

function isConstantDomain(domain: unknown[], constant: Constant): boolean {
  const leaf = domain[0];
  return domain.length === 1 && Array.isArray(leaf) && leaf.length === 3 && leaf.every((x, i) => x === constant[i]);
}

/**
 * Flattens nested and/or, drops TRUE from ANDs and FALSE from ORs, short-circuits on the
 * absorbing constant, removes double negation and simplifies `any` sub-domains. Leaves are
 * never rewritten, so the result means exactly what the input meant.
 */
export function simplify(node: DomainNode): DomainNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return simplifyJunction(node.kind, node.children.map(simplify));
    case 'not': {
      const child = simplify(node.child);
      if (child.kind === 'true' || child.kind === 'false') return { kind: child.kind === 'true' ? 'false' : 'true' };
      return child.kind === 'not' ? child.child : { kind: 'not', child };
    }
    case 'leaf':
      return node.operator === 'any' || node.operator === 'not any' ? { ...node, value: simplify(node.value as DomainNode) } : node;
    default:
      return node;
  }
}

function simplifyJunction(kind: 'and' | 'or', children: DomainNode[]): DomainNode {
  const [unit, zero] = kind === 'and' ? (['true', 'false'] as const) : (['false', 'true'] as const);
  const flat: DomainNode[] = [];
  for (const child of children) {
    if (child.kind === zero) return { kind: zero };
    if (child.kind === kind) flat.push(...child.children);
    else if (child.kind !== unit) flat.push(child);
  }
  if (flat.length === 0) return { kind: unit };
  return flat.length === 1 ? flat[0] : { kind, children: flat };
}

/** Turns a tree back into a normalised wire domain (prefix operators, dotted paths). */
export function toDomainList(node: DomainNode): unknown[] {
  switch (node.kind) {
    case 'true': return [[...TRUE_LEAF]];
    case 'false': return [[...FALSE_LEAF]];
    case 'not': return ['!', ...toDomainList(node.child)];
    case 'leaf': {
      const value = node.operator === 'any' || node.operator === 'not any' ? toDomainList(node.value as DomainNode) : node.value;
      return [[node.path.join('.'), node.operator, value]];
    }
    case 'and':
    case 'or': {
      if (node.children.length === 0) return toDomainList({ kind: node.kind === 'and' ? 'true' : 'false' });
      const op = node.kind === 'and' ? '&' : '|';
      return [...Array<string>(node.children.length - 1).fill(op), ...node.children.flatMap(toDomainList)];
    }
  }
}
