import { LitElement, html, css, type PropertyValues } from 'lit';
import './erp-canned-picker.ts';
import './erp-followers.ts';
import { icon } from './icons.ts';
import { repeat } from 'lit/directives/repeat.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { sharedStyles } from './styles.ts';
import { callKw, uploadAttachments } from './rpc.ts';
import { notifyError } from './erp-notifications.ts';
import { formatDatetime, humanSize, textToHtml } from './format.ts';
import { currentLanguage, _t } from './i18n.ts';
import type { AttachmentInfo, Many2oneValue } from './types.ts';

interface Message {
  id: number;
  body: string | false;
  author_id: Many2oneValue;
  date: string;
  message_type: string;
  is_internal: boolean;
  subtype_id: Many2oneValue;
  attachment_ids: number[];
  tracking_value_ids: number[];
}
interface Tracking {
  id: number;
  field_desc: string | false;
  old_value_char: string | false;
  new_value_char: string | false;
}

const MESSAGE_FIELDS = ['body', 'author_id', 'date', 'message_type', 'is_internal', 'subtype_id', 'attachment_ids', 'tracking_value_ids'];

/**
 * The discussion thread of a record (`mail.message` of model/res_id, newest first, with
 * their attachments and tracked changes), the followers (erp-followers), and the composer:
 * "Send message" (public, `mail.mt_comment`) or "Log note" (internal, `mail.mt_note`), both
 * through the record's `message_post`, with attachments. The server decides who may post
 * what; a refusal is shown.
 */
export class ErpChatter extends LitElement {
  static properties = {
    model: {}, resId: { type: Number }, followerCount: { type: Number }, refreshKey: { type: Number }, internalNotes: { type: Boolean }, cannedModel: {},
    messages: { state: true }, attachments: { state: true }, trackings: { state: true },
    mode: { state: true }, body: { state: true }, files: { state: true }, sending: { state: true },
  };
  static styles = [sharedStyles, css`
    :host { display: block; padding: 16px; }
    .top { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 12px; }
    .top .followers { margin-left: auto; color: var(--erp-muted); font-size: .9rem; }
    .composer { background: #fff; border: 1px solid var(--erp-border); border-radius: var(--erp-radius); padding: 12px; margin-bottom: 16px; }
    .composer.note { background: var(--erp-note-bg); }
    .composer .row { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; align-items: center; }
    .message { display: flex; gap: 10px; padding: 10px 0; border-top: 1px solid var(--erp-border); }
    .avatar { flex: none; width: 36px; height: 36px; border-radius: 50%; background: var(--erp-primary); color: #fff; display: flex; align-items: center; justify-content: center; font-weight: 600; }
    .meta { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; font-size: .88rem; }
    .meta strong { font-size: .95rem; }
    .body { overflow-wrap: anywhere; } .body :first-child { margin-top: 2px; } .body :last-child { margin-bottom: 2px; }
    .note .body { background: var(--erp-note-bg); padding: 4px 8px; border-radius: var(--erp-radius); }
    ul { margin: 4px 0; padding-left: 18px; font-size: .9rem; }
    .files { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
    .file { display: inline-flex; gap: 4px; align-items: center; border: 1px solid var(--erp-border); border-radius: var(--erp-radius); padding: 2px 8px; font-size: .85rem; background: #fff; }
    .file button { border: 0; background: none; padding: 0 2px; }
    .content { min-width: 0; flex: 1; }
  `];
  declare model: string;
  /** Offer "Log note" (false for `<chatter internal_notes="0"/>`). */
  declare internalNotes: boolean;
  /** A model of canned responses offered in the composer (`<chatter canned_responses="…"/>`), or ''. */
  declare cannedModel: string;
  declare resId: number;
  declare followerCount: number;
  declare refreshKey: number;
  declare messages: Message[];
  declare attachments: Map<number, AttachmentInfo>;
  declare trackings: Map<number, Tracking>;
  declare mode: 'message' | 'note' | null;
  declare body: string;
  declare files: AttachmentInfo[];
  declare sending: boolean;
  private seq = 0;

  constructor() {
    super();
    this.resId = 0;
    this.followerCount = 0;
    this.internalNotes = true;
    this.cannedModel = '';
    this.refreshKey = 0;
    this.messages = [];
    this.attachments = new Map();
    this.trackings = new Map();
    this.mode = null;
    this.body = '';
    this.files = [];
    this.sending = false;
  }

  willUpdate(changed: PropertyValues<this>) {
    if ((changed.has('resId') || changed.has('model') || changed.has('refreshKey')) && this.model) void this.load();
  }

  async load() {
    const seq = ++this.seq;
    if (!this.resId) {
      this.messages = [];
      return;
    }
    try {
      const messages = await callKw<Message[]>('mail.message', 'search_read', [], {
        domain: [['model', '=', this.model], ['res_id', '=', this.resId]], fields: MESSAGE_FIELDS, order: 'id desc',
      });
      const attIds = messages.flatMap((m) => m.attachment_ids ?? []);
      const attachments = attIds.length ? await callKw<AttachmentInfo[]>('ir.attachment', 'read', [attIds, ['name', 'mimetype', 'file_size']]) : [];
      const trackIds = messages.flatMap((m) => m.tracking_value_ids ?? []);
      let trackings: Tracking[] = [];
      if (trackIds.length) {
        try {
          trackings = await callKw<Tracking[]>('mail.tracking.value', 'read', [trackIds, ['field_desc', 'old_value_char', 'new_value_char']]);
        } catch (err) {
          console.warn('Tracked changes cannot be shown:', err);
        }
      }
      if (seq !== this.seq) return;
      this.messages = messages;
      this.attachments = new Map(attachments.map((a) => [a.id, a]));
      this.trackings = new Map(trackings.map((t) => [t.id, t]));
    } catch (err) {
      notifyError(err);
    }
  }

  private async attach(e: Event) {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    if (!files.length) return;
    try {
      this.files = [...this.files, ...(await uploadAttachments(this.model, this.resId, files))];
    } catch (err) {
      notifyError(err);
    }
  }

  private async send() {
    if (!this.body.trim() && !this.files.length) return;
    this.sending = true;
    try {
      await callKw(this.model, 'message_post', [[this.resId]], {
        body: textToHtml(this.body.trim()), message_type: 'comment',
        subtype_xmlid: this.mode === 'note' ? 'mail.mt_note' : 'mail.mt_comment', attachment_ids: this.files.map((f) => f.id),
      });
      [this.body, this.files, this.mode] = ['', [], null];
      await this.load();
    } catch (err) {
      notifyError(err);
    } finally {
      this.sending = false;
    }
  }

  private toggle(mode: 'message' | 'note') {
    this.mode = this.mode === mode ? null : mode;
    if (this.mode) void this.updateComplete.then(() => this.renderRoot.querySelector('textarea')?.focus());
  }

  private renderComposer() {
    if (!this.mode) return '';
    return html`<div class="composer ${this.mode === 'note' ? 'note' : ''}">
      <textarea aria-label=${this.mode === 'note' ? _t('Log an internal note…') : _t('Send a message to followers…')}
        placeholder=${this.mode === 'note' ? _t('Log an internal note…') : _t('Send a message to followers…')}
        .value=${this.body} @input=${(e: Event) => (this.body = (e.target as HTMLTextAreaElement).value)}
        @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && this.send()}></textarea>
      ${this.files.length ? html`<div class="files">${this.files.map((f) => html`<span class="file">${icon('clip')} ${f.name}
        <button aria-label=${_t('Remove %s', f.name)} @click=${() => (this.files = this.files.filter((x) => x.id !== f.id))}>×</button></span>`)}</div>` : ''}
      <div class="row">
        <button class="btn btn-primary" ?disabled=${this.sending || (!this.body.trim() && !this.files.length)} @click=${this.send}>
          ${this.mode === 'note' ? _t('Log') : _t('Send')}</button>
        <label class="btn">${icon('clip')} ${_t('Attach files')}<input type="file" multiple class="sr-only" @change=${this.attach}></label>
        ${this.cannedModel ? html`<erp-canned-picker .model=${this.cannedModel} .resId=${this.resId}
          @canned-picked=${(e: CustomEvent<{ text: string }>) => (this.body = this.body.trim() ? `${this.body.trimEnd()}\n\n${e.detail.text}` : e.detail.text)}></erp-canned-picker>` : ''}
        <span class="muted recipients">${this.mode === 'note' ? _t('Internal note: not sent to the followers') : _t('To: the %s followers', this.followerCount)}</span>
      </div></div>`;
  }

  private renderMessage(m: Message) {
    const author = m.author_id ? m.author_id[1] : _t('System');
    const trackings = (m.tracking_value_ids ?? []).map((id) => this.trackings.get(id)).filter((t): t is Tracking => !!t);
    const note = m.is_internal || m.subtype_id && /note/i.test(m.subtype_id[1]);
    return html`<article class="message ${note ? 'note' : ''}" data-id=${m.id}>
      <div class="avatar" aria-hidden="true">${author.trim().charAt(0).toUpperCase()}</div>
      <div class="content">
        <div class="meta"><strong>${author}</strong><span class="muted">${m.date ? formatDatetime(m.date, currentLanguage()) : ''}</span>
          ${note ? html`<span class="badge">${_t('Note')}</span>` : ''}</div>
        ${m.body ? html`<div class="body">${unsafeHTML(m.body)}</div>` : ''}
        ${trackings.length ? html`<ul>${trackings.map((t) => html`<li>${t.old_value_char || '—'} → <strong>${t.new_value_char || '—'}</strong>
          ${t.field_desc ? html`<span class="muted">(${t.field_desc})</span>` : ''}</li>`)}</ul>` : ''}
        ${m.attachment_ids?.length ? html`<div class="files">${m.attachment_ids.map((id) => {
          const a = this.attachments.get(id);
          return a ? html`<a class="file" href="/web/content/${id}?download=true" download>${icon('clip')} ${a.name} <span class="muted">${humanSize(a.file_size)}</span></a>` : '';
        })}</div>` : ''}
      </div></article>`;
  }

  render() {
    if (!this.resId) return html`<p class="muted">${_t('Creating a new record…')}</p>`;
    return html`<div class="top">
        <button class="btn ${this.mode === 'message' ? 'btn-primary' : ''}" @click=${() => this.toggle('message')}>${_t('Send message')}</button>
        ${this.internalNotes ? html`<button class="btn ${this.mode === 'note' ? 'btn-primary' : ''}" @click=${() => this.toggle('note')}>${_t('Log note')}</button>` : ''}
        <erp-followers class="followers" .model=${this.model} .resId=${this.resId}
          @followers-changed=${(e: CustomEvent<{ count: number }>) => (this.followerCount = e.detail.count)}></erp-followers>
      </div>
      ${this.renderComposer()}
      ${repeat(this.messages, (m) => m.id, (m) => this.renderMessage(m))}
      ${this.messages.length ? '' : html`<p class="muted">${_t('No messages yet.')}</p>`}`;
  }
}
customElements.define('erp-chatter', ErpChatter);
declare global {
  interface HTMLElementTagNameMap { 'erp-chatter': ErpChatter }
}
