/**
 * base_external_import_zammad: import tasks (base.external.import.task), their run logs, the
 * Preview dialog, the Zammad id on helpdesk.ticket, and the `zammad-demo` command.
 */
import type { Environment } from '../../core/orm/index.ts';
import { zammadDemoCommand } from './demo.ts';
import { BaseExternalImportLog } from './models/base_external_import_log.ts';
import { BaseExternalImportTask } from './models/base_external_import_task.ts';
import { HelpdeskTicketZammad } from './models/helpdesk_ticket.ts';
import { BaseExternalImportPreview } from './wizards/base_external_import_preview.ts';

export const models = [BaseExternalImportTask, BaseExternalImportLog, BaseExternalImportPreview, HelpdeskTicketZammad];

/** `npm run cli -- zammad-demo …` (registered through the core's command seam). */
export const commands = [zammadDemoCommand];

/**
 * A Zammad ticket is imported once per source (the importer's upsert key), and reporters are
 * looked up by their trimmed, lower-cased email.
 */
export async function onInstall(env: Environment): Promise<void> {
  await env.cr.raw('CREATE UNIQUE INDEX IF NOT EXISTS helpdesk_ticket_zammad_source_uniq ON helpdesk_ticket (zammad_source_id, zammad_id)');
  await env.cr.raw('CREATE INDEX IF NOT EXISTS res_partner_email_ci_idx ON res_partner (lower(btrim(email)))');
}

export { runImport, closeImportPools, importIndexed, type RunOutcome } from './import/run.ts';
export { zammadDemoCommand };
