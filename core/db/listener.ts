/**
 * One dedicated PostgreSQL connection that LISTENs on a channel and hands each NOTIFY's
 * payload to a callback — how one worker process learns, within milliseconds, what another
 * changed (PostgreSQL delivers a notification to every listener when the sender commits).
 *
 * A notification sent while the connection is down is lost for good, so whatever a process
 * caches on the strength of this listener must be trusted only while `live`, and only if it
 * was cached under the current `epoch` (bumped at every connect and disconnect). The
 * connection comes back by itself, with a growing pause between attempts.
 */
import pg from 'pg';
import { logger } from '../logger.ts';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

export class ChannelListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  /** True while the LISTEN connection is up: notifications are arriving. */
  live = false;
  /** Changes at every connect and disconnect. */
  epoch = 0;

  constructor(private readonly url: string, private readonly channel: string, private readonly onNotify: (payload: string) => void) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name: ${channel}`);
  }

  /** Connects and listens; resolves once listening (or once the first attempt failed). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    this.retryTimer = null;
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: `erp listener ${this.channel}` });
    client.on('notification', (msg) => { if (msg.channel === this.channel) this.onNotify(msg.payload ?? ''); });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      if (this.client !== client) return; // lost (or closed) meanwhile
      this.live = true;
      this.epoch++;
      this.retryMs = FIRST_RETRY_MS;
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private lost(client: pg.Client, err?: Error): void {
    if (this.client !== client) return; // an older connection's late event
    this.client = null;
    this.epoch++;
    if (this.live && !this.stopped) logger.warn(`LISTEN ${this.channel}: connection lost${err ? ` (${err.message})` : ''}; reconnecting`);
    this.live = false;
    client.end().catch(() => { /* already gone */ });
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => { void this.connect(); }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  /** The backend pid of the listening connection (tests cut it to check the fallback). */
  get backendPid(): number | null {
    return this.live ? ((this.client as unknown as { processID?: number })?.processID ?? null) : null;
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    this.live = false;
    this.epoch++;
    await client?.end().catch(() => { /* already gone */ });
  }
}
