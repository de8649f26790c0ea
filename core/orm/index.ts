/** The ORM's public surface for addons: model definitions, fields, environment, errors. */
export { Model, humanize, type ModelClass, type Vals, type RpcKind } from './model.ts';
export { model, Registry, type ModelDefinition, type ModelMeta } from './registry.ts';
export { fields, sanitizeHtmlValue, formatDatetime, parseDatetime, formatDate, type Field, type ComputeFn, type PrecomputeFn, type SearchFn } from './fields/index.ts';
export { Environment, SUPERUSER_ID, rowsOf, type Context } from './environment.ts';
export { andDomains, orDomains, normalizeDomain, parseDomain } from './domain/index.ts';
export { invalidateAccessCache } from './access-cache.ts';
export { invalidateRulesCache } from '../security/index.ts';
export { AccessError, AccessDenied, MissingError, UserError, ValidationError } from '../errors.ts';
export { recomputeStored } from './recompute.ts';
export { installCacheSignals, SharedCache } from './shared-cache.ts';
export { isTranslated, langOf, pickTranslation, translatedSql } from './translated-values.ts';
