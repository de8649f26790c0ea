import { LitElement, html, css } from 'lit';
import { sharedStyles } from './styles.ts';
import { _t } from './i18n.ts';

/**
 * A modal dialog: a title, the default slot as body, the `footer` slot for buttons.
 * Escape and the × close it (unless `locked`, e.g. while a call runs).
 * @fires dialog-close - the user closed the dialog
 */
export class ErpDialog extends LitElement {
  static properties = { heading: {}, size: {}, locked: { type: Boolean } };
  static styles = [sharedStyles, css`
    :host { position: fixed; inset: 0; z-index: 900; display: flex; align-items: flex-start; justify-content: center; padding: 5vh 12px; background: rgba(0,0,0,.45); overflow-y: auto; }
    .dialog { width: min(var(--w, 800px), 100%); background: #fff; border-radius: 6px; box-shadow: 0 12px 40px rgba(0,0,0,.3); display: flex; flex-direction: column; }
    header { display: flex; align-items: center; gap: 8px; padding: 12px 16px; border-bottom: 1px solid var(--erp-border); }
    h2 { flex: 1; margin: 0; font-size: 1.15rem; font-weight: 600; }
    .body { padding: 16px; }
    footer { display: flex; flex-wrap: wrap; gap: 8px; padding: 12px 16px; border-top: 1px solid var(--erp-border); }
  `];
  declare heading: string;
  declare size: 'sm' | 'md' | 'lg';
  declare locked: boolean;
  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && !this.locked && this.isTopmost()) this.close();
  };

  constructor() {
    super();
    this.heading = '';
    this.size = 'lg';
    this.locked = false;
  }

  /** Open dialogs, oldest first: Escape closes only the topmost. */
  private static stack: ErpDialog[] = [];

  private isTopmost(): boolean {
    return ErpDialog.stack[ErpDialog.stack.length - 1] === this;
  }

  connectedCallback() {
    super.connectedCallback();
    ErpDialog.stack.push(this);
    window.addEventListener('keydown', this.onKey);
  }

  disconnectedCallback() {
    ErpDialog.stack = ErpDialog.stack.filter((d) => d !== this);
    window.removeEventListener('keydown', this.onKey);
    super.disconnectedCallback();
  }

  firstUpdated() {
    this.renderRoot.querySelector<HTMLElement>('.dialog')?.focus();
  }

  close() {
    this.dispatchEvent(new CustomEvent('dialog-close', { bubbles: true, composed: true }));
  }

  render() {
    const width = { sm: '420px', md: '640px', lg: '960px' }[this.size];
    return html`<div class="dialog" role="dialog" aria-modal="true" aria-label=${this.heading} tabindex="-1" style="--w:${width}">
      <header><h2>${this.heading}</h2>
        <button class="btn btn-icon" aria-label=${_t('Close')} ?disabled=${this.locked} @click=${this.close}>×</button></header>
      <div class="body"><slot></slot></div>
      ${this.querySelector(':scope > [slot="footer"]') ? html`<footer><slot name="footer"></slot></footer>` : ''}
    </div>`;
  }
}
customElements.define('erp-dialog', ErpDialog);
declare global {
  interface HTMLElementTagNameMap { 'erp-dialog': ErpDialog }
}

/** Asks the user to confirm `message`; resolves true on "Ok". */
export function confirmDialog(message: string, opts: { title?: string; confirmLabel?: string; danger?: boolean } = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = document.createElement('erp-dialog');
    dialog.heading = opts.title ?? _t('Confirmation');
    dialog.size = 'sm';
    const body = document.createElement('p');
    body.style.whiteSpace = 'pre-line';
    body.textContent = message;
    const done = (answer: boolean) => {
      dialog.remove();
      resolve(answer);
    };
    const ok = document.createElement('button');
    ok.className = opts.danger ? 'btn btn-danger-solid' : 'btn btn-primary';
    ok.textContent = opts.confirmLabel ?? _t('Ok');
    ok.slot = 'footer';
    ok.addEventListener('click', () => done(true));
    const cancel = document.createElement('button');
    cancel.className = 'btn';
    cancel.textContent = _t('Cancel');
    cancel.slot = 'footer';
    cancel.addEventListener('click', () => done(false));
    dialog.addEventListener('dialog-close', () => done(false));
    dialog.append(body, ok, cancel);
    document.body.append(dialog);
    requestAnimationFrame(() => ok.focus());
  });
}
