/**
 * The `<header>` buttons of a list (Odoo 17): shown while records are selected, each calls
 * its object method on the selected ids (`type="object"`, with `active_ids` in the context)
 * or opens its action (`type="action"`); a returned action (a wizard) opens, and the list
 * reloads when it closes. `confirm` asks first.
 */
import { findFirst, type ArchNode } from './arch.ts';
import { baseScope, evalContext } from './modifiers.ts';
import { actionRef, openAction } from './actions.ts';
import { callKw } from './rpc.ts';
import { notifyError } from './erp-notifications.ts';
import { confirmDialog } from './erp-dialog.ts';
import type { Action, Context } from './types.ts';

export function selectionButtons(arch: ArchNode): ArchNode[] {
  const header = findFirst(arch, (n) => n.tag === 'header');
  return header ? header.children.filter((c) => c.tag === 'button' && c.attrs.name) : [];
}

export async function runSelectionButton(host: EventTarget, model: string, attrs: Record<string, string>, ids: number[], context: Context, reload: () => void): Promise<void> {
  if (!ids.length || (attrs.confirm && !(await confirmDialog(attrs.confirm)))) return;
  const active: Context = { active_id: ids[0], active_ids: ids, active_model: model };
  try {
    const ctx = { ...context, ...evalContext(attrs.context, baseScope(context)), ...active };
    if (attrs.type === 'action') return openAction(host, actionRef(attrs.name), reload, ctx);
    const result = await callKw(model, attrs.name, [ids], { context: ctx });
    const action = result && typeof result === 'object' && 'type' in result ? (result as Action) : null;
    if (action && action.type !== 'ir.actions.act_window_close') openAction(host, action, reload, active);
  } catch (err) {
    notifyError(err);
  }
  reload();
}
