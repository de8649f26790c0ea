import { LitElement, html, css } from 'lit';
import { sharedStyles } from './styles.ts';
import { rpc } from './rpc.ts';
import { _t } from './i18n.ts';

export interface ProgressState {
  done: number;
  total: number;
  message?: string;
  finished?: boolean;
}

/**
 * Progress of a long server call: polls `/web/progress {key}` every 500 ms while connected
 * (the caller passed the same key as `context.progress_key`), and draws done/total.
 * Indeterminate until the server reports a total.
 */
export class ErpProgressBar extends LitElement {
  static properties = { progressKey: { attribute: 'progress-key' }, heading: {}, state: { state: true }, failed: { state: true } };
  static styles = [sharedStyles, css`
    :host { display: block; }
    .track { height: 10px; background: var(--erp-hover); border-radius: 5px; overflow: hidden; }
    .fill { height: 100%; background: var(--erp-primary); transition: width .3s; }
    .indeterminate .fill { width: 30%; animation: slide 1.2s infinite ease-in-out; }
    @keyframes slide { from { transform: translateX(-100%); } to { transform: translateX(340%); } }
    .line { display: flex; justify-content: space-between; gap: 12px; margin-top: 6px; font-size: .9rem; }
  `];
  declare progressKey: string;
  declare heading: string;
  declare state: ProgressState | null;
  declare failed: boolean;
  private timer = 0;
  private errors = 0;

  constructor() {
    super();
    this.heading = '';
    this.state = null;
    this.failed = false;
  }

  connectedCallback() {
    super.connectedCallback();
    this.schedule();
  }

  disconnectedCallback() {
    clearTimeout(this.timer);
    super.disconnectedCallback();
  }

  private schedule() {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.poll(), 500);
  }

  private async poll() {
    if (!this.progressKey || !this.isConnected) return;
    try {
      this.state = await rpc<ProgressState>('/web/progress', { key: this.progressKey });
      this.errors = 0;
    } catch (err) {
      if (++this.errors >= 5) {
        this.failed = true;
        console.warn('Progress unavailable:', err);
        return;
      }
    }
    if (!this.state?.finished) this.schedule();
  }

  render() {
    const s = this.state;
    const pct = s && s.total > 0 ? Math.min(100, Math.round((100 * s.done) / s.total)) : null;
    return html`
      ${this.heading ? html`<p>${this.heading}</p>` : ''}
      <div class="track ${pct === null ? 'indeterminate' : ''}" role="progressbar" aria-valuemin="0" aria-valuemax="100"
        aria-valuenow=${pct ?? ''} aria-label=${_t('Progress')}><div class="fill" style=${pct === null ? '' : `width:${pct}%`}></div></div>
      <div class="line"><span>${this.failed ? _t('Working…') : s?.message || _t('Working…')}</span>
        <span class="muted">${s && s.total > 0 ? `${s.done} / ${s.total} (${pct}%)` : ''}</span></div>`;
  }
}
customElements.define('erp-progress-bar', ErpProgressBar);
declare global {
  interface HTMLElementTagNameMap { 'erp-progress-bar': ErpProgressBar }
}
