/** mail: the chatter mixin (mail.thread), messages, followers, tracking, the outgoing queue and aliases. */
import { installCacheSignals, type Environment } from '../../core/orm/index.ts';
import { MailAlias } from './models/mail_alias.ts';
import { MailFollowers } from './models/mail_followers.ts';
import { MailGatewayMessage } from './models/mail_gateway_message.ts';
import { MailMail } from './models/mail_mail.ts';
import { MailMessage } from './models/mail_message.ts';
import { MailMessageSubtype } from './models/mail_message_subtype.ts';
import { MailThread } from './models/mail_thread.ts';
import { MailTrackingValue } from './models/mail_tracking_value.ts';
import { mailGatewayService } from './gateway/service.ts';

export const models = [MailMessageSubtype, MailMessage, MailTrackingValue, MailFollowers, MailMail, MailAlias, MailThread, MailGatewayMessage];

/** Started with the server in every serving process: the SMTP listener and the outgoing relay. */
export const services = [mailGatewayService];

/** One follower row per document and partner (a constraint over three columns); the cached tables' signals. */
export async function onInstall(env: Environment): Promise<void> {
  await env.cr.raw('CREATE UNIQUE INDEX IF NOT EXISTS mail_followers_res_partner_res_model_id_uniq ON mail_followers (res_model, res_id, partner_id)');
  await onUpgrade(env);
}

/**
 * Aliases and subtypes are looked up for every message, shared across units of work
 * (env.cached); so is the partner of a sender's address (partners and users announce their
 * changes through the base addon).
 */
export async function onUpgrade(env: Environment): Promise<void> {
  await installCacheSignals(env, ['mail.alias', 'mail.message.subtype']);
}

export type { InboundMail, InboundAttachment, TrackingLine } from './models/mail_thread.ts';
export { parseAliasDefaults } from './models/mail_alias.ts';
export { subtypeIsInternal } from './models/mail_message_subtype.ts';
export { rememberRecordName, insertedMessage, type InsertedMessage } from './models/mail_message.ts';
export { MAX_SEND_ATTEMPTS } from './models/mail_mail.ts';
export { setMailTransport, getMailTransport, type MailTransport, type OutgoingMail, type OutgoingAttachment } from './transport.ts';
export { mailDomain, generateMessageId, parseEmailAddress, parseEmailList, formatEmailAddress, findPartnerByEmail, rememberPartner, knownPartner, type PartnerFacts, userPartnerId, plaintextToHtml, htmlToText } from './tools.ts';
export { startMailGateway, type MailGateway, type MailGatewayOptions } from './gateway/service.ts';
export { parseInbound, type ParsedInbound } from './gateway/parse.ts';
