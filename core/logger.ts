/** A minimal leveled logger writing to stderr (level from the configuration). */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;
let current: LogLevel = (process.env.ERP_LOG_LEVEL as LogLevel) ?? 'info';

export function setLogLevel(level: LogLevel): void {
  if (!(level in LEVELS)) throw new Error(`Unknown log level '${level}': expected ${Object.keys(LEVELS).join(', ')}`);
  current = level;
}
function log(level: LogLevel, msg: string, extra?: unknown): void {
  if (LEVELS[level] < LEVELS[current]) return;
  const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}`;
  process.stderr.write(extra === undefined ? `${line}\n` : `${line} ${extra instanceof Error ? extra.stack ?? extra.message : JSON.stringify(extra)}\n`);
}
export const logger = {
  debug: (m: string, e?: unknown) => log('debug', m, e),
  info: (m: string, e?: unknown) => log('info', m, e),
  warn: (m: string, e?: unknown) => log('warn', m, e),
  error: (m: string, e?: unknown) => log('error', m, e),
};
