/**
 * Field types by name (a typed map: a type without an implementation does not compile)
 * and the `fields.*` declaration helpers addons use.
 */
import { binaryType } from './binary.ts';
import { booleanType } from './boolean.ts';
import { charType } from './char.ts';
import { dateType } from './date.ts';
import { datetimeType } from './datetime.ts';
import { declare, type FieldDeclaration, type FieldOptions, type FieldType, type FieldTypeName, type SelectionList } from './field.ts';
import { floatType } from './float.ts';
import { htmlType } from './html.ts';
import { integerType } from './integer.ts';
import { many2manyType } from './many2many.ts';
import { many2oneType } from './many2one.ts';
import { one2manyType } from './one2many.ts';
import { referenceType } from './reference.ts';
import { selectionType } from './selection.ts';
import { textType } from './text.ts';

export const FIELD_TYPES: { [K in FieldTypeName]: FieldType } = {
  char: charType, text: textType, html: htmlType, integer: integerType, float: floatType,
  monetary: floatType, boolean: booleanType, date: dateType, datetime: datetimeType,
  selection: selectionType, many2one: many2oneType, one2many: one2manyType,
  many2many: many2manyType, binary: binaryType, reference: referenceType,
};

type Opts = Omit<FieldOptions, 'comodel' | 'inverseName' | 'relation' | 'column1' | 'column2' | 'selection'>;

export const fields = {
  char: (o: Opts = {}) => declare('char', o),
  text: (o: Opts = {}) => declare('text', o),
  html: (o: Opts = {}) => declare('html', o),
  integer: (o: Opts = {}) => declare('integer', o),
  float: (o: Opts = {}) => declare('float', o),
  monetary: (o: Opts = {}) => declare('monetary', o),
  boolean: (o: Opts = {}) => declare('boolean', o),
  date: (o: Opts = {}) => declare('date', o),
  datetime: (o: Opts = {}) => declare('datetime', o),
  binary: (o: Opts = {}) => declare('binary', o),
  reference: (o: Opts = {}) => declare('reference', o),
  selection: (selection: SelectionList, o: Opts = {}) => declare('selection', { ...o, selection }),
  many2one: (comodel: string, o: Opts & { ondelete?: FieldOptions['ondelete'] } = {}) => declare('many2one', { ondelete: 'set null', ...o, comodel }),
  one2many: (comodel: string, inverseName: string, o: Opts = {}) => declare('one2many', { ...o, comodel, inverseName }),
  /** A read-only value followed through many2one fields, e.g. related('partner_id.city'). */
  related: (path: string, o: Opts & { type?: FieldTypeName; comodel?: string; selection?: SelectionList } = {}) => declare(o.type ?? 'char', { ...o, related: path }),
  many2many: (comodel: string, o: Opts & { relation?: string; column1?: string; column2?: string } = {}) => declare('many2many', { ...o, comodel }),
};

export type { Field, FieldDeclaration, FieldOptions, FieldType, FieldTypeName, ComputeFn, PrecomputeFn, SearchFn, SelectionList } from './field.ts';
export { sanitizeHtmlValue } from './html.ts';
export { formatDatetime, parseDatetime } from './datetime.ts';
export { formatDate } from './date.ts';
