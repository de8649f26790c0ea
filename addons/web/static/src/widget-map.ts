/**
 * Which widget renders a field: by the arch's `widget="…"` name when known, else by field
 * type. `TYPE_WIDGETS` is typed `{ [type in FieldType]: tag }`, so a field type without a
 * widget does not compile; tags are checked against `HTMLElementTagNameMap`.
 */
import { html, unsafeStatic } from 'lit/static-html.js';
import type { TemplateResult } from 'lit';
import type { FieldWidget, ValueChangedDetail } from './widgets/field-widget.ts';
import type { Context, Domain, FieldInfo, FieldType, RecordValues } from './types.ts';
import type { SubView } from './widgets/erp-field-one2many.ts';
import './widgets/erp-field-char.ts';
import './widgets/erp-field-text.ts';
import './widgets/erp-field-html.ts';
import './widgets/erp-field-integer.ts';
import './widgets/erp-field-float.ts';
import './widgets/erp-field-boolean.ts';
import './widgets/erp-field-date.ts';
import './widgets/erp-field-datetime.ts';
import './widgets/erp-field-selection.ts';
import './widgets/erp-field-many2one.ts';
import './widgets/erp-field-many2many-tags.ts';
import './widgets/erp-field-one2many.ts';
import './widgets/erp-field-attachments.ts';
import './widgets/erp-field-binary.ts';
import './widgets/erp-field-priority.ts';
import './widgets/erp-field-statusbar.ts';

/** Tag names of the registered field widgets. */
export type WidgetTag = {
  [K in keyof HTMLElementTagNameMap]: HTMLElementTagNameMap[K] extends FieldWidget ? K : never;
}[keyof HTMLElementTagNameMap];

export const TYPE_WIDGETS: { [T in FieldType]: WidgetTag } = {
  char: 'erp-field-char',
  text: 'erp-field-text',
  html: 'erp-field-html',
  integer: 'erp-field-integer',
  float: 'erp-field-float',
  boolean: 'erp-field-boolean',
  date: 'erp-field-date',
  datetime: 'erp-field-datetime',
  selection: 'erp-field-selection',
  many2one: 'erp-field-many2one',
  one2many: 'erp-field-one2many',
  many2many: 'erp-field-many2many-tags',
  binary: 'erp-field-binary',
};

/** `widget="…"` names understood, and the field types each applies to. */
const NAMED_WIDGETS: Record<string, [WidgetTag, FieldType[]]> = {
  statusbar: ['erp-field-statusbar', ['selection']],
  priority: ['erp-field-priority', ['selection']],
  many2many_tags: ['erp-field-many2many-tags', ['many2many', 'one2many']],
  many2many_binary: ['erp-field-attachments', ['many2many', 'one2many']],
  attachments: ['erp-field-attachments', ['many2many', 'one2many']],
  html: ['erp-field-html', ['html', 'text']],
  text: ['erp-field-text', ['char', 'text']],
  boolean_toggle: ['erp-field-boolean', ['boolean']],
  radio: ['erp-field-selection', ['selection']],
  badge: ['erp-field-selection', ['selection']],
  one2many: ['erp-field-one2many', ['one2many', 'many2many']],
};

/** The widget for a field and an optional arch `widget` name. */
export function widgetFor(field: FieldInfo, widget?: string): WidgetTag {
  const named = widget ? NAMED_WIDGETS[widget] : undefined;
  if (named && named[1].includes(field.type)) return named[0];
  if ((field.type === 'one2many' || field.type === 'many2many') && field.relation === 'ir.attachment') return 'erp-field-attachments';
  return TYPE_WIDGETS[field.type] ?? TYPE_WIDGETS.char;
}

export interface WidgetProps {
  field: FieldInfo;
  value: unknown;
  readonly: boolean;
  required: boolean;
  invalid?: boolean;
  record: RecordValues;
  attrs: Record<string, string>;
  options: Record<string, unknown>;
  domain: Domain;
  context: Context;
  resModel: string;
  subview?: SubView;
  onChange: (e: CustomEvent<ValueChangedDetail>) => void;
}

/** Renders widget `tag` with the widget contract's properties. */
export function renderWidget(tag: WidgetTag, p: WidgetProps): TemplateResult {
  const t = unsafeStatic(tag);
  return html`<${t} class="o_field_widget" data-name=${p.field.name} .field=${p.field} .value=${p.value} ?readonly=${p.readonly}
    ?required=${p.required} ?invalid=${!!p.invalid} .record=${p.record} .attrs=${p.attrs} .options=${p.options}
    .domain=${p.domain} .context=${p.context} .resModel=${p.resModel} .subview=${p.subview}
    @value-changed=${p.onChange}></${t}>`;
}
