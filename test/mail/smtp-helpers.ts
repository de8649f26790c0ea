/**
 * SMTP test tools: an independent client (nodemailer's SMTP transport, and Python's
 * smtplib for step-by-step conversations), a relay (a second smtp-server) that captures
 * what the ERP sends, and the MIME shapes built by Python's email package.
 */
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { SMTPServer } from 'smtp-server';
import { PROJECT_ROOT } from '../../core/config.ts';

const run = promisify(execFile);
const PY = join(PROJECT_ROOT, 'test', 'mail', 'python');

export interface Shape {
  name: string; raw: string; subject: string; text: string; from_name: string; from_email: string;
  attachments: Array<{ filename: string | null; mimetype: string; sha1: string }>;
}

export async function mimeShapes(domain: string): Promise<Shape[]> {
  const { stdout } = await run('python3', [join(PY, 'mime_shapes.py'), domain], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout);
}

export interface SessionResult { ehlo: [number, string]; mail: [number, string]; rcpt: Array<[number, string]>; data?: [number, string] }

/** One smtplib conversation; every reply code comes back. */
export async function smtpSession(spec: { port: number; mail_from: string; rcpt: string[]; size?: number; data?: Buffer }): Promise<SessionResult> {
  const arg = JSON.stringify({ host: '127.0.0.1', port: spec.port, mail_from: spec.mail_from, rcpt: spec.rcpt, size: spec.size, data_b64: spec.data?.toString('base64') });
  return new Promise((resolve, reject) => {
    const child = execFile('python3', [join(PY, 'smtp_session.py')], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`smtp_session.py failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin!.end(arg);
  });
}

/** Sends raw bytes with nodemailer as the client; resolves with the server's final reply. */
export async function sendRaw(port: number, raw: Buffer | string, envelope: { from: string; to: string[] }): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 300_000, greetingTimeout: 300_000, socketTimeout: 300_000 });
  try {
    const info = await transport.sendMail({ envelope, raw });
    return info.response;
  } finally {
    transport.close();
  }
}

/** A plain message as a mail client writes it (nodemailer's composer). */
export async function compose(opts: SendMailOptions): Promise<Buffer> {
  return new MailComposer(opts as any).compile().build();
}

export interface Captured { envelope: { from: string; to: string[] }; raw: Buffer; parsed: ParsedMail }

export interface Relay {
  url: string;
  port: number;
  mails: Captured[];
  /** Next DATA answers: 'ok', or an SMTP code to refuse with. */
  mode: 'ok' | 451 | 550;
  close(): Promise<void>;
}

/** A second smtp-server playing the outgoing relay: it captures (and parses) each mail. */
export async function startRelay(): Promise<Relay> {
  const relay = { mails: [] as Captured[], mode: 'ok' as Relay['mode'] } as Relay;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, disableReverseLookup: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (relay.mode !== 'ok') {
          callback(Object.assign(new Error(relay.mode === 550 ? '5.1.1 Mailbox unavailable (test relay)' : '4.3.2 Try again later (test relay)'), { responseCode: relay.mode }));
          return;
        }
        const raw = Buffer.concat(chunks);
        relay.mails.push({
          envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
          raw, parsed: await simpleParser(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  relay.port = (server.server.address() as AddressInfo).port;
  relay.url = `smtp://127.0.0.1:${relay.port}`;
  relay.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return relay;
}
