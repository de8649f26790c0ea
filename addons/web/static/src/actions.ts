/**
 * How any component asks for an action: a `do-action` event that bubbles out of shadow roots
 * to `erp-action-manager`. `onClose` runs when a dialog opened by the action closes (the form
 * that asked reloads its record then).
 */
import type { Action, Context } from './types.ts';

export interface DoActionDetail {
  action: Action | number | string;
  /** Merged into the action's context (e.g. `active_id` of the record whose button asked). */
  context?: Context;
  onClose?: () => void;
}

export function openAction(from: EventTarget, action: DoActionDetail['action'], onClose?: () => void, context?: Context): void {
  from.dispatchEvent(new CustomEvent<DoActionDetail>('do-action', { detail: { action, onClose, context }, bubbles: true, composed: true }));
}

/** `%(module.xml_id)d` (the Odoo data-file form of a button's action name) → `module.xml_id`. */
export function actionRef(name: string): number | string {
  const m = /^%\((.+)\)d$/.exec(name.trim());
  const ref = m ? m[1] : name.trim();
  return /^\d+$/.test(ref) ? Number(ref) : ref;
}
