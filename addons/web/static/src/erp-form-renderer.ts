import { LitElement, html, css, type TemplateResult } from 'lit';
import { sharedStyles } from './styles.ts';
import { boolAttr, findFirst, type ArchNode } from './arch.ts';
import { evalBool, fieldNodeState, type FieldLock, type Scope } from './modifiers.ts';
import { renderWidget, widgetFor } from './widget-map.ts';
import type { ValueChangedDetail } from './widgets/field-widget.ts';
import type { SubView } from './widgets/erp-field-one2many.ts';
import type { FieldsInfo, RecordValues } from './types.ts';
import { _t } from './i18n.ts';
import './erp-chatter.ts';

type Content = TemplateResult | string | Content[];

/** Plain HTML elements allowed in form archs, rendered as themselves. */
const ELEMENTS: Record<string, (cls: string, body: Content) => TemplateResult> = {
  div: (c, b) => html`<div class=${c}>${b}</div>`,
  span: (c, b) => html`<span class=${c}>${b}</span>`,
  p: (c, b) => html`<p class=${c}>${b}</p>`,
  h1: (c, b) => html`<h1 class=${c}>${b}</h1>`,
  h2: (c, b) => html`<h2 class=${c}>${b}</h2>`,
  h3: (c, b) => html`<h3 class=${c}>${b}</h3>`,
  h4: (c, b) => html`<h4 class=${c}>${b}</h4>`,
  strong: (c, b) => html`<strong class=${c}>${b}</strong>`,
  b: (c, b) => html`<b class=${c}>${b}</b>`,
  em: (c, b) => html`<em class=${c}>${b}</em>`,
  i: (c, b) => html`<i class=${c}>${b}</i>`,
  small: (c, b) => html`<small class=${c}>${b}</small>`,
  code: (c, b) => html`<code class=${c}>${b}</code>`,
  pre: (c, b) => html`<pre class=${c}>${b}</pre>`,
  u: (c, b) => html`<u class=${c}>${b}</u>`,
  ol: (c, b) => html`<ol class=${c}>${b}</ol>`,
  ul: (c, b) => html`<ul class=${c}>${b}</ul>`,
  li: (c, b) => html`<li class=${c}>${b}</li>`,
  br: () => html`<br>`,
  hr: () => html`<hr>`,
};

export function isChatter(node: ArchNode): boolean {
  return node.tag === 'chatter' || (node.tag === 'div' && /\boe_chatter\b/.test(node.attrs.class ?? ''));
}

/**
 * Renders a form arch for one record: header (buttons and statusbar), sheet, groups in
 * label/value columns, notebooks, plain elements, buttons, the chatter and, in dialogs, the
 * footer. Modifiers are re-evaluated on every render from `scope`. Holds only UI state
 * (the open notebook pages).
 * @fires field-change - `{name, value}` from a widget
 * @fires button-click - `{attrs}` of the clicked `<button>`
 */
export class ErpFormRenderer extends LitElement {
  static properties = {
    arch: { attribute: false }, fields: { attribute: false }, data: { attribute: false }, scope: { attribute: false },
    model: {}, lock: {}, busy: { type: Boolean }, errors: { attribute: false },
    subviews: { attribute: false }, inDialog: { type: Boolean, attribute: 'in-dialog', reflect: true }, chatterKey: { type: Number }, pages: { state: true },
  };
  static styles = [sharedStyles, css`
    :host { display: block; }
    code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; background: var(--erp-hover); border-radius: 3px; padding: 1px 4px; overflow-wrap: anywhere; }
    pre { padding: 8px; white-space: pre-wrap; }
    .statusbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; justify-content: space-between; padding: 8px 16px; background: #fff; border-bottom: 1px solid var(--erp-border); }
    .statusbar .buttons { display: flex; flex-wrap: wrap; gap: 6px; }
    .sheet-wrap { padding: 16px; }
    .sheet { position: relative; max-width: 1140px; margin: 0 auto; background: #fff; border: 1px solid var(--erp-border); border-radius: var(--erp-radius); padding: 24px 32px; box-shadow: 0 1px 3px rgba(0,0,0,.05); overflow: hidden; }
    :host([in-dialog]) .sheet-wrap { padding: 0; } :host([in-dialog]) .sheet { border: 0; padding: 0; box-shadow: none; }
    .group-row { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0 32px; margin-bottom: 8px; }
    .group { display: grid; grid-template-columns: minmax(100px, max-content) minmax(0, 1fr); gap: 6px 16px; align-items: start; align-content: start; margin-bottom: 12px; }
    .group-title { grid-column: 1 / -1; margin: 8px 0 4px; font-size: .9rem; text-transform: uppercase; color: var(--erp-muted); border-bottom: 1px solid var(--erp-border); padding-bottom: 4px; }
    .full { grid-column: 1 / -1; }
    label.o_label { font-weight: 600; padding-top: 6px; } label.o_label.required::after { content: ' *'; color: var(--erp-danger); }
    label.o_label sup { color: var(--erp-muted); cursor: help; }
    .error { color: var(--erp-danger); font-size: .85rem; margin-top: 2px; }
    .tabs { display: flex; flex-wrap: wrap; border-bottom: 1px solid var(--erp-border); margin: 16px 0 12px; }
    .tabs button { border: 1px solid transparent; border-bottom: 0; background: none; padding: 8px 16px; margin-bottom: -1px; color: var(--erp-link); border-radius: var(--erp-radius) var(--erp-radius) 0 0; }
    .tabs button[aria-selected='true'] { border-color: var(--erp-border); background: #fff; color: var(--erp-text); font-weight: 600; }
    .separator { margin: 16px 0 8px; font-size: 1rem; border-bottom: 1px solid var(--erp-border); padding-bottom: 4px; }
    .oe_title h1 { margin: 0 0 12px; font-size: 1.6rem; } .oe_title h1 erp-field-char { font-size: 1.6rem; }
    .oe_button_box { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 6px; margin-bottom: 12px; }
    .ribbon { position: absolute; top: 18px; right: -34px; width: 140px; transform: rotate(45deg); text-align: center; background: var(--erp-danger); color: #fff; font-size: .8rem; padding: 2px 0; }
    .footer { display: flex; flex-wrap: wrap; gap: 8px; border-top: 1px solid var(--erp-border); padding-top: 12px; margin-top: 16px; }
    erp-chatter { max-width: 1140px; margin: 0 auto 24px; }
    @media (max-width: 767px) {
      .sheet-wrap { padding: 0; } .sheet { border-radius: 0; border-left: 0; border-right: 0; padding: 16px 12px; }
      .group-row { grid-template-columns: 1fr; }
      .group { grid-template-columns: 1fr; gap: 2px; } label.o_label { padding-top: 8px; }
    }
  `];
  declare arch: ArchNode;
  declare fields: FieldsInfo;
  declare data: RecordValues;
  declare scope: Scope;
  declare model: string;
  declare lock: FieldLock;
  declare busy: boolean;
  declare errors: Record<string, string>;
  declare subviews: Map<string, SubView>;
  declare inDialog: boolean;
  declare chatterKey: number;
  declare pages: Map<number, number>;
  private notebookSeq = 0;

  constructor() {
    super();
    this.lock = 'none';
    this.busy = false;
    this.errors = {};
    this.subviews = new Map();
    this.inDialog = false;
    this.chatterKey = 0;
    this.pages = new Map();
  }

  private invisible(node: ArchNode): boolean {
    return evalBool(node.attrs.invisible, this.scope);
  }

  private renderChildren(node: ArchNode): Content[] {
    return node.children.map((c) => this.node(c));
  }

  private node(node: ArchNode): Content {
    if (node.tag === '#text') return node.text ?? '';
    if (this.invisible(node)) return '';
    switch (node.tag) {
      case 'header': return this.header(node);
      case 'sheet': return html`<div class="sheet-wrap"><div class="sheet">${this.renderChildren(node)}</div></div>`;
      case 'group': return this.group(node);
      case 'notebook': return this.notebook(node);
      case 'field': return this.field(node).widget;
      case 'button': return this.button(node);
      case 'label': return this.label(node);
      case 'separator': return html`<h3 class="separator">${node.attrs.string ?? ''}</h3>`;
      case 'newline': return html`<div class="full"></div>`;
      case 'footer': return this.inDialog ? html`<div class="footer">${this.renderChildren(node)}</div>` : '';
      case 'chatter': return this.chatter(node);
      case 'widget': return node.attrs.name === 'web_ribbon' ? html`<div class="ribbon">${node.attrs.title ?? node.attrs.text ?? ''}</div>` : '';
      default:
        if (isChatter(node)) return this.chatter(node);
        return (ELEMENTS[node.tag] ?? ELEMENTS.div)(node.attrs.class ?? '', this.renderChildren(node));
    }
  }

  private header(node: ArchNode): TemplateResult {
    const buttons = node.children.filter((c) => c.tag !== 'field' && c.tag !== '#text').map((c) => this.node(c));
    const fields = node.children.filter((c) => c.tag === 'field').map((c) => this.node(c));
    // Nothing visible (e.g. a new record whose buttons need an id): no empty strip.
    if ([...buttons, ...fields].every((c) => c === '')) return html``;
    return html`<div class="statusbar"><div class="buttons">${buttons}</div><div>${fields}</div></div>`;
  }

  private field(node: ArchNode): { widget: Content; label: Content; full: boolean } {
    const name = node.attrs.name;
    const field = this.fields[name];
    if (!field) return { widget: '', label: '', full: false };
    const state = fieldNodeState(node.attrs, field, this.scope, this.busy ? 'all' : this.lock);
    if (state.invisible) return { widget: '', label: '', full: false };
    const error = this.errors[name];
    const widget = html`<div class="o_field" data-field=${name}>${renderWidget(widgetFor(field, node.attrs.widget), {
      field, value: this.data[name], readonly: state.readonly, required: state.required, invalid: !!error, record: this.data,
      attrs: node.attrs, options: state.options, domain: state.domain, context: state.context, resModel: this.model,
      subview: this.subviews.get(name),
      onChange: (e: CustomEvent<ValueChangedDetail>) => this.fire('field-change', e.detail),
    })}${error ? html`<div class="error" role="alert">${error}</div>` : ''}</div>`;
    const text = node.attrs.string || field.string;
    const label = html`<label class="o_label ${state.required && !state.readonly ? 'required' : ''}">${text}${field.help ? html`<sup title=${field.help}>?</sup>` : ''}</label>`;
    return { widget, label, full: boolAttr(node.attrs.nolabel) };
  }

  /** `<label for="x"/>`: the label of field x, hidden with it. */
  private label(node: ArchNode): Content {
    const field = this.fields[node.attrs.for ?? ''];
    const target = field && findFirst(this.arch, (n) => n.tag === 'field' && n.attrs.name === field.name);
    if (target && evalBool(target.attrs.invisible, this.scope)) return '';
    return html`<label class="o_label">${node.attrs.string ?? field?.string ?? ''}</label>`;
  }

  /** An inner group: label/value rows. An outer group (containing groups): columns. */
  private group(node: ArchNode): TemplateResult {
    const title = node.attrs.string ? html`<h3 class="group-title">${node.attrs.string}</h3>` : '';
    if (node.children.some((c) => c.tag === 'group')) {
      return html`${title}<div class="group-row">${node.children.map((c) => (c.tag === 'group' ? this.node(c) : html`<div class="full">${this.node(c)}</div>`))}</div>`;
    }
    const cells: Content[] = [];
    let pendingLabel = false;
    for (const child of node.children) {
      if (child.tag === 'field') {
        const { widget, label, full } = this.field(child);
        if (widget === '') continue;
        cells.push(full ? html`<div class="full">${widget}</div>` : html`${label}${widget}`);
        pendingLabel = false;
      } else if (child.tag === 'label') {
        const label = this.node(child);
        if (label !== '') {
          cells.push(label);
          pendingLabel = true;
        }
      } else {
        const content = this.node(child);
        cells.push(pendingLabel ? html`<div>${content}</div>` : html`<div class="full">${content}</div>`);
        pendingLabel = false;
      }
    }
    return html`<div class="group">${title}${cells}</div>`;
  }

  private notebook(node: ArchNode): TemplateResult {
    const id = this.notebookSeq++;
    const pages = node.children.filter((p) => p.tag === 'page' && !this.invisible(p));
    if (!pages.length) return html``;
    const active = Math.min(this.pages.get(id) ?? 0, pages.length - 1);
    return html`<div class="notebook"><div class="tabs" role="tablist">${pages.map((p, i) => html`
        <button type="button" role="tab" aria-selected=${String(i === active)} @click=${() => (this.pages = new Map(this.pages).set(id, i))}>${p.attrs.string ?? ''}</button>`)}</div>
      <div role="tabpanel">${this.renderChildren(pages[active])}</div></div>`;
  }

  private button(node: ArchNode): TemplateResult {
    const a = node.attrs;
    const primary = /\b(oe_highlight|btn-primary)\b/.test(a.class ?? '');
    const text = a.string ?? a.title ?? a.name ?? '';
    return html`<button type="button" class="btn ${primary ? 'btn-primary' : ''} ${a.class ?? ''}" name=${a.name ?? ''} title=${a.help ?? a.title ?? ''}
      ?disabled=${this.busy} @click=${() => this.fire('button-click', { attrs: a })}>${text}</button>`;
  }

  /** `<chatter internal_notes="0"/>` hides "Log note" (e.g. for users who may not post notes). */
  private chatter(node: ArchNode): TemplateResult | string {
    const id = this.data.id;
    const followers = this.data.message_follower_ids;
    return html`<erp-chatter .model=${this.model} .resId=${id ?? 0} .refreshKey=${this.chatterKey}
      .internalNotes=${boolAttr(node.attrs.internal_notes, true)} .cannedModel=${node.attrs.canned_responses ?? ''}
      .followerCount=${Array.isArray(followers) ? followers.length : 0}></erp-chatter>`;
  }

  private fire(name: string, detail: unknown) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  render() {
    this.notebookSeq = 0;
    if (!this.arch) return html``;
    return html`${this.renderChildren(this.arch)}`;
  }
}
customElements.define('erp-form-renderer', ErpFormRenderer);
declare global {
  interface HTMLElementTagNameMap { 'erp-form-renderer': ErpFormRenderer }
}
