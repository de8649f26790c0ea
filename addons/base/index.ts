/** base: partners, users, groups and the technical (ir.*) models. */
import { IrActionsActUrl, IrActionsActWindow } from './models/ir_actions.ts';
import { IrAttachment } from './models/ir_attachment.ts';
import { IrConfigParameter } from './models/ir_config_parameter.ts';
import { IrCron } from './models/ir_cron.ts';
import { IrFilters } from './models/ir_filters.ts';
import { IrModel, IrModelData } from './models/ir_model.ts';
import { IrModelAccess, IrRule } from './models/ir_model_access.ts';
import { IrModuleModule } from './models/ir_module_module.ts';
import { IrSequence } from './models/ir_sequence.ts';
import { IrLoginThrottle, IrProgress, IrSession } from './models/ir_session.ts';
import { IrUiMenu } from './models/ir_ui_menu.ts';
import { IrUiView } from './models/ir_ui_view.ts';
import { ResGroups } from './models/res_groups.ts';
import { ResPartner } from './models/res_partner.ts';
import { ResUsers } from './models/res_users.ts';
import { installCacheSignals, type Environment } from '../../core/orm/index.ts';
import { SESSION_SIGNAL_DDL } from '../../core/http/session.ts';

export const models = [
  ResPartner, ResUsers, ResGroups, IrModel, IrModelData, IrModelAccess, IrRule, IrUiView, IrUiMenu,
  IrActionsActWindow, IrActionsActUrl, IrSequence, IrAttachment, IrCron, IrConfigParameter, IrModuleModule,
  IrSession, IrLoginThrottle, IrProgress, IrFilters,
];

/**
 * The triggers that tell every worker of a logout or a deactivated user (core/http/session.ts),
 * and of changed XML ids, models, sequences, partners and users (what `env.ref`, `next_by_code` and
 * the many2one names of lists cache).
 */
async function installSignals(env: Environment): Promise<void> {
  for (const sql of SESSION_SIGNAL_DDL) await env.cr.raw(sql);
  await installCacheSignals(env, ['ir.model.data', 'ir.model', 'ir.sequence', 'res.partner', 'res.users']);
}

export const onInstall = installSignals;
export const onUpgrade = installSignals;
