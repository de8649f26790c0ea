/**
 * Configuration: the documented defaults in config/erp.conf, overridden by environment
 * variables (ERP_<KEY>) and then by command-line flags (--<key-with-dashes>). Values are
 * checked and typed here; a bad value is a ConfigError naming the key and where it came from.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_FILE = join(PROJECT_ROOT, 'config', 'erp.conf');

export interface Config {
  db_url: string;
  data_dir: string;
  db_name: string;
  http_port: number;
  http_interface: string;
  smtp_port: number;
  mail_domain: string;
  smtp_relay: string;
  mail_from: string;
  mail_max_size_mb: number;
  addons: string[];
  server_wide_modules: string[];
  addons_path: string[];
  demo: boolean;
  log_level: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  workers: number;
  admin_password: string;
  secret_key: string;
  limit_request_mb: number;
  cron: boolean;
  db_maxconn: number;
  db_maxconn_readonly: number;
}

type Kind = 'string' | 'int' | 'bool' | 'list';
const KINDS: Record<keyof Config, Kind> = {
  db_url: 'string', data_dir: 'string', db_name: 'string', http_port: 'int', http_interface: 'string', smtp_port: 'int',
  mail_domain: 'string', smtp_relay: 'string', mail_from: 'string', mail_max_size_mb: 'int', addons: 'list', server_wide_modules: 'list', addons_path: 'list', demo: 'bool', log_level: 'string',
  workers: 'int', admin_password: 'string', secret_key: 'string', limit_request_mb: 'int', cron: 'bool', db_maxconn: 'int',
  db_maxconn_readonly: 'int',
};

export interface ConfigDoc { key: keyof Config; help: string; default: string }

/** Parses the INI file: `; comment` lines document the key that follows. */
export function readConfigFile(file = DEFAULT_FILE): { values: Record<string, string>; docs: ConfigDoc[] } {
  const text = readFileSync(file, 'utf8');
  const values: Record<string, string> = {};
  const docs: ConfigDoc[] = [];
  let comment: string[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) { comment = []; continue; }
    if (line.startsWith(';') || line.startsWith('#')) { comment.push(line.replace(/^[;#]\s?/, '')); continue; }
    if (line.startsWith('[')) continue;
    const m = /^([a-z_]+)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new ConfigError(`${file}:${i + 1}: cannot parse '${line}'`);
    if (!(m[1] in KINDS)) throw new ConfigError(`${file}:${i + 1}: unknown key '${m[1]}'`);
    values[m[1]] = m[2];
    docs.push({ key: m[1] as keyof Config, help: comment.join(' '), default: m[2] });
    comment = [];
  }
  return { values, docs };
}

function convert(key: keyof Config, value: string, source: string): unknown {
  switch (KINDS[key]) {
    case 'int': {
      if (!/^\d+$/.test(value.trim())) throw new ConfigError(`Invalid value for ${key} (${source}): '${value}' is not a whole number`);
      return Number(value);
    }
    case 'bool': {
      const v = value.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw new ConfigError(`Invalid value for ${key} (${source}): '${value}' is not true or false`);
    }
    case 'list': return value.split(',').map((s) => s.trim()).filter(Boolean);
    default: return value.trim();
  }
}

export interface ParsedArgs { config: Config; positional: string[]; help: boolean }

/**
 * Builds the configuration from file, environment and argv (flags after the command). With
 * `passUnknown` (an addon's command) flags that are not settings are left in `positional`,
 * in order, for the command to parse.
 */
export function loadConfig(argv: string[] = [], env: NodeJS.ProcessEnv = process.env, file?: string, opts: { passUnknown?: boolean } = {}): ParsedArgs {
  const { values } = readConfigFile(file);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(KINDS) as Array<keyof Config>) out[key] = convert(key, values[key] ?? '', 'config file');
  for (const key of Object.keys(KINDS) as Array<keyof Config>) {
    const v = env[`ERP_${key.toUpperCase()}`];
    if (v !== undefined) out[key] = convert(key, v, `environment ERP_${key.toUpperCase()}`);
  }
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    if (arg === '--without-demo') { out.demo = false; continue; }
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const key = flag.replace(/-/g, '_') as keyof Config;
    if (!(key in KINDS)) {
      if (opts.passUnknown) { positional.push(arg); continue; }
      throw new ConfigError(`Unknown option --${flag} (see --help)`);
    }
    let value = inline;
    if (value === undefined) {
      if (KINDS[key] === 'bool' && (argv[i + 1] === undefined || argv[i + 1].startsWith('--'))) value = 'true';
      else if (argv[i + 1] === undefined) throw new ConfigError(`Option --${flag} needs a value`);
      else value = argv[++i];
    }
    out[key] = convert(key, value, `flag --${flag}`);
  }
  const config = out as unknown as Config;
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(config.log_level)) throw new ConfigError(`Invalid log_level '${config.log_level}': expected debug, info, warn, error or silent`);
  if (config.db_url && !/^postgres(ql)?:\/\//.test(config.db_url)) throw new ConfigError(`Invalid db_url '${config.db_url}': expected postgres://…`);
  if (config.workers < 1) throw new ConfigError('workers must be at least 1');
  if (config.workers > 1 && !config.db_url) throw new ConfigError('Several workers need a PostgreSQL server (db_url): the embedded database serves one process');
  config.addons_path = config.addons_path.map((p) => resolve(PROJECT_ROOT, p));
  config.data_dir = resolve(process.cwd(), config.data_dir);
  return { config, positional, help };
}

/** `--help`: the commands (the core's and the addons', as `name usage — summary` lines) and every option. */
export function helpText(addonCommands: string[] = []): string {
  const { docs } = readConfigFile();
  const lines = ['Usage: npm start -- [options]', '       npm run cli -- <command> [options]', '',
    'Commands: start (default), install <addon...>, upgrade <addon...>, cron <xml id or id>',
    ...addonCommands.map((c) => `  ${c}`), '', 'Options (flag / environment variable, default):'];
  for (const d of docs) {
    lines.push(`  --${d.key.replace(/_/g, '-')}  (ERP_${d.key.toUpperCase()}, default: ${d.default || '""'})`);
    lines.push(`      ${d.help}`);
  }
  lines.push('  --demo / --without-demo  load demo data or not on first install');
  lines.push('  --help  this text');
  return lines.join('\n');
}
