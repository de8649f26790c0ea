/**
 * The one contract of every field widget: `field`, `value`, `readonly`, `required`, `record`
 * in (plus the arch node's `attrs`, parsed `options`, evaluated `domain`/`context`, `invalid`
 * and the record's model `resModel`); a `value-changed` event out, with `{name, value}`.
 * The event does not bubble: the view listens on the widget itself, so widgets nested in a
 * one2many editor never leak their changes to the form.
 */
import { LitElement, css } from 'lit';
import { sharedStyles } from '../styles.ts';
import type { Context, Domain, FieldInfo, RecordValues } from '../types.ts';

export interface ValueChangedDetail<V = unknown> {
  name: string;
  value: V;
}

/** @fires value-changed - `{name, value}` when the user changes the value. */
export abstract class FieldWidget<V = unknown> extends LitElement {
  static properties = {
    field: { attribute: false },
    value: { attribute: false },
    readonly: { type: Boolean, reflect: true },
    required: { type: Boolean, reflect: true },
    invalid: { type: Boolean, reflect: true },
    record: { attribute: false },
    attrs: { attribute: false },
    options: { attribute: false },
    domain: { attribute: false },
    context: { attribute: false },
    resModel: { attribute: false },
  };
  static styles = [sharedStyles, css`
    :host { display: block; min-width: 0; }
    :host([invalid]) { --erp-field-border: var(--erp-danger); }
    .readonly { display: inline-block; min-height: 1.4em; padding-top: 6px; overflow-wrap: anywhere; }
  `];

  declare field: FieldInfo;
  declare value: V;
  declare readonly: boolean;
  declare required: boolean;
  declare invalid: boolean;
  declare record: RecordValues;
  declare attrs: Record<string, string>;
  declare options: Record<string, unknown>;
  declare domain: Domain;
  declare context: Context;
  declare resModel: string;

  constructor() {
    super();
    this.readonly = false;
    this.required = false;
    this.invalid = false;
    this.record = {};
    this.attrs = {};
    this.options = {};
    this.domain = [];
    this.context = {};
  }

  /** Tells the view the user changed the value. */
  protected emit(value: V): void {
    this.dispatchEvent(new CustomEvent<ValueChangedDetail<V>>('value-changed', { detail: { name: this.field.name, value } }));
  }

  /** Accessible name: the field label. */
  protected get label(): string {
    return this.attrs.string || this.field?.string || this.field?.name || '';
  }

  /** Placeholder text from the arch. */
  protected get placeholder(): string {
    return this.attrs.placeholder ?? '';
  }
}
