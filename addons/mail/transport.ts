/**
 * The outgoing-mail transport seam. `mail.mail.process_email_queue()` hands each queued
 * mail to the transport registered for the running registry; with none registered (no
 * relay configured) mails stay queued. The SMTP sender (nodemailer, core/mail) registers
 * itself here at server start; tests register a fake.
 */
export interface OutgoingAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

/** One e-mail ready to send, header names as nodemailer expects them. */
export interface OutgoingMail {
  from: string;
  to: string;
  cc?: string;
  replyTo?: string;
  subject: string;
  html: string;
  /** The Message-ID header, `<…@domain>`. */
  messageId?: string;
  inReplyTo?: string;
  /** Space-separated Message-IDs of the thread. */
  references?: string;
  headers: Record<string, string>;
  attachments: OutgoingAttachment[];
}

export interface MailTransport {
  /** Sends one mail; throwing marks it for retry (and, after the last retry, as an exception). */
  send(mail: OutgoingMail): Promise<unknown>;
}

const transports = new WeakMap<object, MailTransport>();

/** Registers (or with null removes) the transport used by the registry's mail queue. */
export function setMailTransport(registry: object, transport: MailTransport | null): void {
  if (transport) transports.set(registry, transport);
  else transports.delete(registry);
}

export function getMailTransport(registry: object): MailTransport | undefined {
  return transports.get(registry);
}
