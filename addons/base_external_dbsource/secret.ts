/**
 * Encryption of the sources' passwords at rest: AES-256-GCM (authenticated), a fresh 96-bit
 * nonce per value, stored as `v1:<nonce>:<tag>:<ciphertext>` in base64. The key comes from
 * the `secret_key` setting (stretched with HKDF) or, when it is empty, from a random key
 * generated once into `<data_dir>/dbsource.key` (mode 0600). Several machines sharing one
 * database must share the same `secret_key`.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../core/config.ts';
import { err, UserError } from '../../core/errors.ts';

export interface SecretSettings {
  secretKey: string;
  dataDir: string;
}

const KEY_FILE = 'dbsource.key';
const configured = new WeakMap<object, SecretSettings>();
const keys = new WeakMap<object, Buffer>();
let fallback: Buffer | undefined;

/** Sets where `registry`'s key comes from (the service does it with the server's configuration). */
export function configureSecret(registry: object, settings: SecretSettings): void {
  configured.set(registry, settings);
  keys.delete(registry);
}

/** The 32-byte key of `registry`: configured, else from the configuration file and ERP_* variables. */
export function secretKeyFor(registry: object): Buffer {
  const known = keys.get(registry);
  if (known) return known;
  const settings = configured.get(registry);
  if (!settings && fallback) return fallback;
  const { secretKey, dataDir } = settings ?? (() => {
    const { config } = loadConfig([], process.env);
    return { secretKey: config.secret_key, dataDir: config.data_dir };
  })();
  const key = secretKey ? deriveKey(secretKey) : keyFile(dataDir);
  if (settings) keys.set(registry, key);
  else fallback = key;
  return key;
}

function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'base_external_dbsource', 'password encryption v1', 32));
}

/** Reads the generated key, or creates it (`wx`: of two processes racing, one writes, both read it). */
function keyFile(dataDir: string): Buffer {
  const file = join(dataDir, KEY_FILE);
  try {
    return parseKeyFile(readFileSync(file, 'utf8'), file);
  } catch (e: any) {
    if (e?.code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e: any) {
    if (e?.code !== 'EEXIST') throw e;
  }
  return parseKeyFile(readFileSync(file, 'utf8'), file);
}

function parseKeyFile(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw err(UserError, 'The key file %s is damaged: expected 32 bytes in base64.', file);
  return key;
}

export function encryptSecret(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

export function decryptSecret(key: Buffer, stored: string, sourceName: string): string {
  const [version, iv, tag, data] = stored.split(':');
  try {
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('format');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw err(UserError, "The stored password of the database source '%s' cannot be decrypted: the secret key changed (setting secret_key or the data directory's key file). Enter the password again.", sourceName);
  }
}
