/**
 * Odoo domain algebra on the client: normalising implicit `&`, combining domains with AND/OR,
 * as Odoo's `expression.AND`/`OR`. Pure; the server compiles domains, the client only builds them.
 */
import type { Domain, DomainItem, DomainLeaf } from './types.ts';

const ARITY: Record<string, number> = { '!': 1, '&': 2, '|': 2 };

export function isLeaf(item: unknown): item is DomainLeaf {
  return Array.isArray(item) && item.length === 3 && typeof item[0] === 'string' && typeof item[1] === 'string';
}

/** Makes the implicit `&` between consecutive terms explicit (Odoo's `normalize_domain`). */
export function normalizeDomain(domain: Domain): Domain {
  if (!Array.isArray(domain)) throw new Error(`Invalid domain: ${JSON.stringify(domain)}`);
  const result: Domain = [];
  let expected = 1;
  for (const token of domain) {
    if (expected === 0) {
      result.unshift('&');
      expected = 1;
    }
    if (isLeaf(token)) expected -= 1;
    else if (typeof token === 'string' && token in ARITY) expected += ARITY[token] - 1;
    else throw new Error(`Invalid domain term: ${JSON.stringify(token)}`);
    result.push(token as DomainItem);
  }
  if (result.length && expected !== 0) throw new Error(`Invalid domain: ${JSON.stringify(domain)}`);
  return result;
}

function combine(op: '&' | '|', domains: Domain[]): Domain {
  const parts = domains.filter((d) => d && d.length).map(normalizeDomain);
  if (parts.length <= 1) return parts[0] ?? [];
  return [...Array<DomainItem>(parts.length - 1).fill(op), ...parts.flat()];
}

/** All of `domains` (empty ones ignored). */
export const andDomains = (domains: Domain[]): Domain => combine('&', domains);
/** Any of `domains` (empty ones ignored). */
export const orDomains = (domains: Domain[]): Domain => combine('|', domains);
