/**
 * Public surface of the domain package: parsing wire domains into trees and the domain algebra.
 * (SQL compilation lives in `compile.ts` and is used by the ORM only.)
 */
export { parseDomain, OPERATORS, TRUE_LEAF, FALSE_LEAF, LOGICAL_ARITY, type DomainNode, type Operator } from './parse.ts';
export { normalizeDomain, andDomains, orDomains, simplify, toDomainList } from './normalize.ts';
