import { html, css } from 'lit';
import { icon } from '../icons.ts';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { FieldWidget } from './field-widget.ts';
import { _t } from '../i18n.ts';

const COMMANDS: Array<[string, string, () => string]> = [
  ['bold', 'B', () => _t('Bold')], ['italic', 'I', () => _t('Italic')], ['underline', 'U', () => _t('Underline')],
  ['insertUnorderedList', '•', () => _t('Bulleted list')], ['insertOrderedList', '1.', () => _t('Numbered list')],
];

/**
 * Rich text: a contenteditable area with a few formatting buttons. The server sanitises
 * html fields on write, and what it returns is what is shown read-only.
 * @fires value-changed - the HTML, or false when emptied
 */
export class ErpFieldHtml extends FieldWidget<string | false> {
  static styles = [...FieldWidget.styles, css`
    .toolbar { display: flex; gap: 2px; padding: 2px; border: 1px solid var(--erp-border); border-bottom: 0; border-radius: var(--erp-radius) var(--erp-radius) 0 0; background: var(--erp-bg); }
    .toolbar button { min-width: 30px; border: 0; background: none; padding: 3px 6px; border-radius: 3px; }
    .toolbar button:hover { background: var(--erp-hover); }
    .editor { min-height: 120px; padding: 8px; border: 1px solid var(--erp-field-border, var(--erp-border)); border-radius: 0 0 var(--erp-radius) var(--erp-radius); background: #fff; overflow-wrap: anywhere; }
    .content { overflow-wrap: anywhere; padding-top: 6px; } .content :first-child, .editor :first-child { margin-top: 0; }
  `];

  private get editor(): HTMLElement | null {
    return this.renderRoot.querySelector('.editor');
  }

  private exec(command: string) {
    if (command === 'createLink') {
      const url = prompt(_t('Link address'));
      if (!url || !/^(https?:|mailto:)/.test(url)) return;
      document.execCommand(command, false, url);
    } else {
      document.execCommand(command);
    }
    this.changed();
  }

  private changed() {
    const content = this.editor?.innerHTML ?? '';
    this.emit(content.replace(/<br>|\s|&nbsp;/g, '') ? content : false);
  }

  updated() {
    const editor = this.editor;
    const v = this.value || '';
    if (editor && editor !== this.shadowRoot?.activeElement && editor.innerHTML !== v) editor.innerHTML = v;
  }

  render() {
    if (this.readonly) return html`<div class="content">${unsafeHTML(this.value || '')}</div>`;
    return html`<div class="toolbar" role="toolbar">
        ${COMMANDS.map(([cmd, text, title]) => html`<button type="button" title=${title()} aria-label=${title()} @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.exec(cmd)}>${text}</button>`)}
        <button type="button" title=${_t('Link')} aria-label=${_t('Link')} @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.exec('createLink')}>${icon('link')}</button>
      </div>
      <div class="editor" contenteditable="true" role="textbox" aria-multiline="true" aria-label=${this.label} @input=${this.changed}></div>`;
  }
}
customElements.define('erp-field-html', ErpFieldHtml);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-html': ErpFieldHtml }
}
