export { applyInheritance, parseXml, serializeXml } from './inheritance.ts';
export { getViews } from './get-views.ts';
