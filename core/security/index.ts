export { combineRules, ruleDomain, type RuleMode, type RuleRecord, type RuleScope } from './rules.ts';
export { hasModelAccess, hasFieldGroups, type AccessLine, type AccessMode } from './access.ts';
export { hashPassword, verifyPassword } from './password.ts';
export { invalidateRulesCache } from './rule-records.ts';
