/**
 * Outgoing mail: the relay transport the queue (`mail.mail.process_email_queue`) hands
 * mails to — nodemailer with a pooled SMTP connection to config `smtp_relay`.
 *
 * From: notifications leave from our own address (config `mail_from`) with the author's
 * name, as Odoo does with `mail.default.from`: a relay (and SPF/DMARC) refuses to send as
 * somebody else's domain. Replies reach the alias through Reply-To.
 */
import nodemailer from 'nodemailer';
import type { MailTransport, OutgoingMail } from '../transport.ts';
import { formatEmailAddress, parseEmailAddress } from '../tools.ts';
import type { GatewaySettings } from './route.ts';

export interface RelayTransport extends MailTransport {
  close(): void;
}

/** Options of nodemailer's SMTP transport from `smtp://[user:pass@]host[:port]` (smtps:// = TLS from the start). */
export function relayOptions(url: string): Record<string, unknown> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`Invalid smtp_relay '${url}': expected smtp://host:port or smtps://host:port`);
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new Error(`Invalid smtp_relay '${url}': expected smtp://host:port or smtps://host:port`);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: Number(u.port || (secure ? 465 : 25)),
    secure,
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    pool: true,
    maxConnections: 4,
    maxMessages: 1000,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  };
}

/** `"Author" <author@elsewhere>` → `"Author" <mail_from>`; our own addresses stay as they are. */
export function rewriteFrom(from: string, settings: GatewaySettings): string {
  const parsed = parseEmailAddress(from);
  if (parsed && settings.domains.includes(parsed.email.split('@')[1])) return from;
  return formatEmailAddress(parsed?.name || parsed?.email.split('@')[0] || '', settings.fromAddress);
}

export function createRelayTransport(url: string, settings: GatewaySettings): RelayTransport {
  const transporter = nodemailer.createTransport(relayOptions(url) as any);
  return {
    async send(mail: OutgoingMail) {
      await transporter.sendMail({
        from: rewriteFrom(mail.from, settings),
        to: mail.to,
        cc: mail.cc,
        replyTo: mail.replyTo,
        subject: mail.subject,
        html: mail.html,
        messageId: mail.messageId,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        headers: mail.headers,
        attachments: mail.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      });
    },
    close: () => transporter.close(),
  };
}
