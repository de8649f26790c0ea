/** hr: the hr.department model, with views and an action (menus come from the addons that use it). */
import { HrDepartment } from './models/hr_department.ts';

export const models = [HrDepartment];
