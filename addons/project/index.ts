/** project: the project.project model, with views and an action (menus come from the addons that use it). */
import { installCacheSignals, type Environment } from '../../core/orm/index.ts';
import { ProjectProject } from './models/project_project.ts';

export const models = [ProjectProject];

/** The table announces its changes, so that lists name their projects from names each process keeps. */
async function installSignals(env: Environment): Promise<void> {
  await installCacheSignals(env, ['project.project']);
}

export const onInstall = installSignals;
export const onUpgrade = installSignals;
