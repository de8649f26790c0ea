/**
 * One `<field>` of a kanban card, by its `widget`: `priority` (stars; on an integer, one per
 * level up to `options.max`), `many2one_avatar_user` (the user's initials in a circle, then the
 * name), `badge` (coloured by the node's `decoration-*`), `many2many_tags` (coloured by the
 * `color_field` option), otherwise the formatted value.
 */
import { html, type TemplateResult } from 'lit';
import { decorations, evalOptions, type Scope } from './modifiers.ts';
import { formatValue, selectionLabel } from './format.ts';
import { tagColor } from './tag-colors.ts';
import { currentLanguage, _t } from './i18n.ts';
import type { ArchNode } from './arch.ts';
import type { ColorCache, NameCache } from './names.ts';
import type { FieldInfo, RecordValues } from './types.ts';
import './widgets/erp-field-priority.ts';

export interface CardContext {
  names: NameCache;
  colors: ColorCache;
  scope: Scope;
}

/** "Carlos Ruiz" → "CR". */
export function initials(name: string): string {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
}

function stars(level: number, max: number, label: string): TemplateResult {
  const n = Math.max(0, Math.min(max, level));
  return html`<span class="stars" role="img" aria-label=${label}>${'★'.repeat(n)}<span class="off">${'☆'.repeat(max - n)}</span></span>`;
}

export function cardField(node: ArchNode, field: FieldInfo, record: RecordValues, ctx: CardContext): TemplateResult | string {
  const value = record[field.name];
  const widget = node.attrs.widget;
  const options = evalOptions(node.attrs.options);
  if (widget === 'priority' && field.type === 'selection') return html`<erp-field-priority readonly .field=${field} .value=${value}></erp-field-priority>`;
  if (widget === 'priority') return stars(Number(value) || 0, Number(options.max ?? 3), _t('%s: %s', node.attrs.string || field.string, String(value ?? '')));
  if (widget === 'many2one_avatar_user' && Array.isArray(value)) {
    return html`<span class="avatar-line"><span class="avatar" aria-hidden="true">${initials(String(value[1]))}</span>${value[1]}</span>`;
  }
  if (widget === 'badge' && value) {
    const tone = decorations(node.attrs, ctx.scope)[0];
    return html`<span class="badge ${tone ? `badge-${tone}` : ''}">${field.type === 'selection' ? selectionLabel(field, value) : formatValue(value, field, { lang: currentLanguage() })}</span>`;
  }
  if (Array.isArray(value) && (field.type === 'many2many' || field.type === 'one2many')) {
    const names = ctx.names.get(field.name);
    const shades = ctx.colors.get(field.name);
    return html`<span class="tags">${(value as number[]).map((id) => html`<span class="badge" style=${shades ? `background:${tagColor(shades.get(id))}` : ''}>${names?.get(id) ?? '…'}</span>`)}</span>`;
  }
  const text = formatValue(value, field, { lang: currentLanguage(), records: (n) => _t('%s records', n) });
  return text ? html`<span>${text}</span>` : '';
}
