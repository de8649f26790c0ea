export { loadXmlFile } from './xml-loader.ts';
export { loadCsvFile } from './csv-loader.ts';
export { parsePo, readPo } from './po-loader.ts';
export { evaluate, literalEval, pythonTruthy } from './literal-eval.ts';
export { qualify, upsertRecord, type LoadMode } from './xml-ids.ts';
