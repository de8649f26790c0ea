/**
 * The mail service of the `mail` addon, started by the server in every serving process
 * (each worker of `--workers N` listens on the same port through node:cluster, so each
 * SMTP connection — and each mail — is handled by exactly one process):
 *  - the inbound SMTP listener on config `smtp_port` for the domains of `mail_domain`;
 *  - the outgoing relay transport (config `smtp_relay`) the mail queue sends through.
 */
import type { App } from '../../../core/app.ts';
import { ConfigError } from '../../../core/errors.ts';
import type { Service } from '../../../core/http/index.ts';
import { logger } from '../../../core/logger.ts';
import { setMailTransport } from '../transport.ts';
import { InboundBatcher, type BatchOptions } from './batch.ts';
import { defaultParseThreads, ParsePool } from './parse_pool.ts';
import { isKnownRecipient } from './route.ts';
import { createRelayTransport, type RelayTransport } from './sender.ts';
import { startSmtpListener, type SmtpListener } from './server.ts';
import { setGatewaySettings, settingsFromConfig } from './settings.ts';

export interface MailGatewayOptions {
  /** Overrides config `smtp_port` (0 = a free port). */
  port?: number;
  host?: string;
  /** Overrides config `mail_max_size_mb`, in bytes. */
  maxSize?: number;
  /** Group commit of inbound mail (see batch.ts). */
  batch?: BatchOptions;
  /** Threads parsing inbound mail (parse_pool.ts); 0 parses in the main thread. */
  parseThreads?: number;
}

export interface MailGateway {
  /** The SMTP port actually listened on. */
  port: number;
  stop(): Promise<void>;
}

export async function startMailGateway(app: App, opts: MailGatewayOptions = {}): Promise<MailGateway> {
  const settings = settingsFromConfig(app.config);
  setGatewaySettings(app.registry, settings);
  let relay: RelayTransport | null = null;
  if (app.config.smtp_relay) {
    try {
      relay = createRelayTransport(app.config.smtp_relay, settings);
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
    setMailTransport(app.registry, relay);
  }
  const port = opts.port ?? app.config.smtp_port;
  const pool = new ParsePool(opts.parseThreads ?? defaultParseThreads());
  const batcher = new InboundBatcher(app, settings, opts.batch, (raw, from) => pool.parse(raw, from));
  let listener: SmtpListener;
  try {
    listener = await startSmtpListener({
      port,
      host: opts.host ?? (app.config.http_interface || undefined),
      domains: settings.domains,
      maxSize: opts.maxSize ?? app.config.mail_max_size_mb * 1024 * 1024,
      isKnownRecipient: (address) => isKnownRecipient(app, address, settings),
      process: (raw, envelope) => batcher.process(raw, envelope),
    });
  } catch (err) {
    relay?.close();
    setMailTransport(app.registry, null);
    await pool.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError(`SMTP port ${port} is already in use (set --smtp-port)`);
    throw err;
  }
  logger.info(`Mail gateway listening on SMTP port ${listener.port} for ${settings.domains.join(', ')}${relay ? '' : ' (no smtp_relay: outgoing mail stays queued)'}`);
  return {
    port: listener.port,
    async stop() {
      await listener.close();
      await pool.close();
      relay?.close();
      setMailTransport(app.registry, null);
      setGatewaySettings(app.registry, null);
    },
  };
}

/** The addon seam's service (see core/http/seam.ts). */
export const mailGatewayService: Service = {
  name: 'mail.smtp_gateway',
  start: ({ app }) => startMailGateway(app),
};
