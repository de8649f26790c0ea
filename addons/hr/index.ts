/** hr: the hr.department model, with views and an action (menus come from the addons that use it). */
import { installCacheSignals, type Environment } from '../../core/orm/index.ts';
import { HrDepartment } from './models/hr_department.ts';

export const models = [HrDepartment];

/** The table announces its changes, so that lists name their departments from names each process keeps. */
async function installSignals(env: Environment): Promise<void> {
  await installCacheSignals(env, ['hr.department']);
}

export const onInstall = installSignals;
export const onUpgrade = installSignals;
