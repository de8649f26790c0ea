/** project: the project.project model, with views and an action (menus come from the addons that use it). */
import { ProjectProject } from './models/project_project.ts';

export const models = [ProjectProject];
