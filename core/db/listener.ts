/**
 * One dedicated PostgreSQL connection per process that LISTENs on the channels its
 * subscribers ask for and hands each NOTIFY's payload to the channel's subscribers — how one
 * worker process learns, within milliseconds, what another changed (PostgreSQL delivers a
 * notification to every listener when the sender commits). The session cache and the shared
 * cache of lookups each subscribe to their channel on the same connection.
 *
 * A notification sent while the connection is down is lost for good, so whatever a process
 * caches on the strength of a subscription must be trusted only while the subscription is
 * `live`, and only if it was cached under the current `epoch` (bumped at every connect,
 * disconnect and change of the channels listened to). The connection opens with the first
 * subscription, comes back by itself with a growing pause between attempts, and closes
 * with the last subscription.
 */
import pg from 'pg';
import { logger } from '../logger.ts';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

type OnNotify = (payload: string) => void;

export class ChannelListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly subscribers = new Map<string, Set<OnNotify>>();
  /** The channels LISTENed on the current connection. */
  private readonly listened = new Set<string>();
  /** True while the LISTEN connection is up. */
  live = false;
  /** Changes at every connect, disconnect and change of the channels. */
  epoch = 0;

  constructor(private readonly url: string) {}

  /** A subscription to `channel`, inactive until started. */
  channel(name: string, onNotify: OnNotify): ChannelSubscription {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid channel name: ${name}`);
    return new ChannelSubscription(this, name, onNotify);
  }

  /** True while notifications of `channel` are arriving. */
  listening(channel: string): boolean {
    return this.live && this.listened.has(channel);
  }

  /** The backend pid of the listening connection (tests cut it to check the fallback). */
  get backendPid(): number | null {
    return this.live ? ((this.client as unknown as { processID?: number })?.processID ?? null) : null;
  }

  /** Adds a subscriber; resolves once its channel is listened to (or once connecting failed). */
  async add(channel: string, onNotify: OnNotify): Promise<void> {
    let set = this.subscribers.get(channel);
    if (!set) this.subscribers.set(channel, (set = new Set()));
    set.add(onNotify);
    if (!this.client && !this.retryTimer) this.connecting = this.connect();
    if (this.connecting) await this.connecting;
    if (this.live && this.client) await this.listenAll(this.client);
  }

  async remove(channel: string, onNotify: OnNotify): Promise<void> {
    const set = this.subscribers.get(channel);
    set?.delete(onNotify);
    if (set && !set.size) this.subscribers.delete(channel);
    this.epoch++;
    if (!this.subscribers.size) await this.disconnect();
  }

  /** Drops every subscriber and the connection. */
  async close(): Promise<void> {
    this.subscribers.clear();
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    this.retryTimer = null;
    if (!this.subscribers.size) return;
    const client = new pg.Client({ connectionString: this.url, application_name: 'erp listener' });
    client.on('notification', (msg) => { for (const fn of this.subscribers.get(msg.channel) ?? []) fn(msg.payload ?? ''); });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    this.client = client;
    this.listened.clear();
    try {
      await client.connect();
      if (this.client !== client) return; // lost (or closed) meanwhile
      this.live = true;
      this.epoch++;
      this.retryMs = FIRST_RETRY_MS;
      await this.listenAll(client);
    } catch (err) {
      this.lost(client, err as Error);
    } finally {
      this.connecting = null;
    }
  }

  /** LISTENs the subscribed channels not listened to yet (subscribers may arrive meanwhile). */
  private async listenAll(client: pg.Client): Promise<void> {
    try {
      for (;;) {
        const missing = [...this.subscribers.keys()].filter((c) => !this.listened.has(c));
        if (!missing.length || this.client !== client) return;
        for (const c of missing) {
          await client.query(`LISTEN ${c}`);
          if (this.client !== client) return;
          this.listened.add(c);
        }
        this.epoch++;
      }
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private lost(client: pg.Client, err?: Error): void {
    if (this.client !== client) return; // an older connection's late event
    this.client = null;
    this.listened.clear();
    this.epoch++;
    if (this.live && this.subscribers.size) logger.warn(`LISTEN ${[...this.subscribers.keys()].join(', ')}: connection lost${err ? ` (${err.message})` : ''}; reconnecting`);
    this.live = false;
    client.end().catch(() => { /* already gone */ });
    if (!this.subscribers.size) return;
    this.retryTimer = setTimeout(() => { this.connecting = this.connect(); }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private async disconnect(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    this.listened.clear();
    this.live = false;
    this.epoch++;
    await client?.end().catch(() => { /* already gone */ });
  }
}

/** One consumer's channel on the process's listener: live only while started and listened to. */
export class ChannelSubscription {
  private active = false;

  constructor(private readonly listener: ChannelListener, readonly channel: string, private readonly onNotify: OnNotify) {}

  /** Listens; resolves once the channel is listened to (or once connecting failed: it retries). */
  async start(): Promise<void> {
    if (this.active) return;
    this.active = true;
    await this.listener.add(this.channel, this.onNotify);
  }

  get live(): boolean {
    return this.active && this.listener.listening(this.channel);
  }

  get epoch(): number {
    return this.listener.epoch;
  }

  get backendPid(): number | null {
    return this.listener.backendPid;
  }

  async close(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    await this.listener.remove(this.channel, this.onNotify);
  }
}
