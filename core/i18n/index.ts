/** Translations: the translate helper for addons, the .po reader, model terms, the extractor. */
export { _t } from './translate.ts';
export { parsePo, readPo } from '../data/po-loader.ts';
export { loadModelTerms, poLanguage } from './model-terms.ts';
