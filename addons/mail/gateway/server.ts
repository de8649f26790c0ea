/**
 * Inbound mail, the SMTP side: an smtp-server listener that accepts mail only for our
 * aliases and answers 250 only once the message is committed.
 *
 *   MAIL FROM … SIZE=n   n > limit ──▶ 552
 *   RCPT TO x@domain     domain not ours ──▶ 550 (we never relay)
 *                        local part not an active alias ──▶ 550
 *   DATA                 over the limit ──▶ 552 (rest of the stream drained, nothing kept)
 *                        else process(raw, envelope) ──committed──▶ 250
 *                                                    └─failed to even keep it──▶ 451 (client retries)
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { logger } from '../../../core/logger.ts';
import type { Envelope } from './route.ts';
import { installFastDataScan } from './smtp_stream.ts';

export interface SmtpListenerOptions {
  port: number;
  host?: string;
  /** Accepted domains, lower-case. */
  domains: string[];
  /** Largest message in bytes. */
  maxSize: number;
  /** Server name in the greeting. */
  name?: string;
  isKnownRecipient(address: string): Promise<boolean>;
  /** Resolves once the message is committed (routed or kept); rejects when it could not be stored. */
  process(raw: Buffer, envelope: Envelope): Promise<unknown>;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

/** An smtp-server error with the reply code the client sees. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpListener(opts: SmtpListenerOptions): Promise<SmtpListener> {
  // The message's end found by indexOf rather than a byte loop (smtp_stream.ts).
  if (!installFastDataScan()) logger.debug('Mail gateway: smtp-server is not the release smtp_stream.ts mirrors; its own end-of-data scan is used');
  const server = new SMTPServer({
    name: opts.name,
    banner: 'ERP mail gateway',
    size: opts.maxSize,
    rejectOversized: true,
    authOptional: true,
    // A public MX: no AUTH, no STARTTLS (put a TLS-terminating MTA in front if you need it).
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    // RFC 5321 4.5.3.2: a server waits at least 5 minutes for the client's next command.
    socketTimeout: 300_000,
    onMailFrom(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      // smtp-server itself answers 552 to a SIZE= over the limit before this is called.
      callback();
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      const rcpt = address.address.toLowerCase();
      const domain = rcpt.split('@')[1] ?? '';
      if (!opts.domains.includes(domain)) {
        callback(smtpError(550, `5.7.1 <${address.address}>: relay access denied, this server only accepts mail for ${opts.domains.join(', ')}`));
        return;
      }
      opts.isKnownRecipient(rcpt).then(
        (known) => callback(known ? undefined : smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`)),
        (err) => {
          logger.error(`Mail gateway: recipient check failed: ${(err as Error)?.message ?? err}`);
          callback(smtpError(451, '4.3.0 Temporary failure, please try again later'));
        },
      );
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= opts.maxSize) chunks.push(chunk);
      });
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(smtpError(552, `5.3.4 Message too big: the limit is ${opts.maxSize} bytes`));
          return;
        }
        const mailFrom = session.envelope.mailFrom;
        const envelope: Envelope = {
          from: mailFrom ? mailFrom.address.toLowerCase() : '',
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
        };
        opts.process(Buffer.concat(chunks), envelope).then(
          () => callback(null, 'Message accepted'),
          (err) => {
            logger.error(`Mail gateway: could not store an incoming message: ${(err as Error)?.message ?? err}`);
            callback(smtpError(451, '4.3.0 Temporary failure while storing the message, please try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => logger.error(`Mail gateway: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
