/**
 * `npm run cli -- zammad-demo --tickets 1000`: builds a Zammad-shaped demo database on a
 * PostgreSQL server (Zammad's schema + generated tickets, articles and attachments) and
 * prints the connection string to give a Database Source in Settings > Technical.
 */
import type { CliCommand } from '../../core/http/index.ts';
import { createDatabase, loadZammad } from './zammad/load.ts';

const USAGE = '[--tickets N (1000)] [--articles-per-ticket K (5)] [--seed S (1)] [--database NAME (zammad_demo)] [--server-url postgres://user@host:port/db] [--replace]';

function parseArgs(args: string[]): { tickets: number; articles: number; seed: number; dbName: string; serverUrl: string | null; replace: boolean } {
  const out = { tickets: 1000, articles: 5, seed: 1, dbName: 'zammad_demo', serverUrl: null as string | null, replace: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value (usage: ${USAGE})`);
      return v;
    };
    const int = (v: string) => {
      if (!/^\d+$/.test(v)) throw new Error(`${a} needs a whole number, not '${v}'`);
      return Number(v);
    };
    if (a === '--tickets') out.tickets = int(value());
    else if (a === '--articles-per-ticket') out.articles = int(value());
    else if (a === '--seed') out.seed = int(value());
    else if (a === '--database') out.dbName = value();
    else if (a === '--server-url') out.serverUrl = value();
    else if (a === '--replace') out.replace = true;
    else throw new Error(`Unknown argument '${a}' (usage: ${USAGE})`);
  }
  return out;
}

export const zammadDemoCommand: CliCommand = {
  name: 'zammad-demo',
  usage: USAGE,
  summary: 'Build a Zammad-shaped demo database (schema + generated tickets) on a PostgreSQL server',
  async run(args, config) {
    let opts;
    try {
      opts = parseArgs(args);
    } catch (err) {
      console.error((err as Error).message);
      return 2;
    }
    const server = opts.serverUrl ?? (config.db_url || 'postgres://postgres@127.0.0.1:5432/postgres');
    if (!/^postgres(ql)?:\/\//.test(server)) {
      console.error(`--server-url must be a postgres:// URL, not '${server}'`);
      return 2;
    }
    const t0 = Date.now();
    try {
      const url = await createDatabase(server, opts.dbName, { replace: opts.replace });
      let last = 0;
      await loadZammad(url, { tickets: opts.tickets, articlesPerTicket: opts.articles, seed: opts.seed }, (table, rows) => {
        if (Date.now() - last > 2000) {
          last = Date.now();
          process.stderr.write(`  ${table}: ${rows} rows\n`);
        }
      });
      const u = new URL(url);
      u.password = u.password ? '%s' : '';
      console.log(`Zammad demo database '${opts.dbName}' ready: ${opts.tickets} tickets, ${opts.tickets * opts.articles} articles (${Math.round((Date.now() - t0) / 100) / 10} s).`);
      console.log(`Connection string for Settings > Technical > Database Sources (connector PostgreSQL): ${u.toString()}`);
      return 0;
    } catch (err) {
      console.error(`zammad-demo failed: ${(err as Error).message}`);
      return 1;
    }
  },
};
