/**
 * External databases for the dbsource tests: a PostgreSQL database and a MariaDB database with
 * its own user and password, created with unique names (pid + random) and dropped at the end;
 * SQLite files under a temporary directory. Servers: PostgreSQL on 127.0.0.1:5432 (postgres),
 * MariaDB on 127.0.0.1:3306 (root); override with DBSOURCE_TEST_PG_URL / DBSOURCE_TEST_MYSQL_URL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';

export const PG_URL = process.env.DBSOURCE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_URL = process.env.DBSOURCE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

export const uniqueName = (prefix: string) => `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;

export interface ExternalPg {
  name: string;
  host: string;
  port: number;
  /** Runs SQL as the owner (setup and checks). */
  admin(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

export async function createPgDatabase(setup: string[] = []): Promise<ExternalPg> {
  const server = new URL(PG_URL);
  const name = uniqueName('dbsrc_pg');
  const root = new pg.Client({ connectionString: PG_URL });
  await root.connect();
  await root.query(`CREATE DATABASE "${name}"`);
  await root.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const owner = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // pool.end() resolves before its sockets close: DROP ... WITH (FORCE) can still terminate one,
  // and an unheard pool error would crash the test process.
  owner.on('error', () => undefined);
  for (const sql of setup) await owner.query(sql);
  return {
    name, host: server.hostname, port: Number(server.port || 5432),
    admin: (sql, params) => owner.query(sql, params as any[]),
    async drop() {
      await owner.end();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface ExternalMysql {
  name: string;
  user: string;
  password: string;
  host: string;
  port: number;
  admin(sql: string, params?: unknown[]): Promise<unknown>;
  drop(): Promise<void>;
}

/** A MariaDB database and a user with a password (quotes included) allowed on it. */
export async function createMysqlDatabase(setup: string[] = []): Promise<ExternalMysql> {
  const server = new URL(MYSQL_URL);
  const name = uniqueName('dbsrc_my');
  const user = name.slice(0, 32);
  const password = `p'w"d ${randomBytes(6).toString('hex')}`;
  const root = await mysql.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username) || 'root', password: decodeURIComponent(server.password), multipleStatements: false });
  await root.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await root.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
  await root.query(`CREATE USER ?@'localhost' IDENTIFIED BY ?`, [user, password]);
  await root.query(`GRANT ALL ON \`${name}\`.* TO ?@'%'`, [user]);
  await root.query(`GRANT ALL ON \`${name}\`.* TO ?@'localhost'`, [user]);
  await root.query(`USE \`${name}\``);
  for (const sql of setup) await root.query(sql);
  return {
    name, user, password, host: server.hostname, port: Number(server.port || 3306),
    admin: (sql, params) => root.query(sql, params as any[]),
    async drop() {
      await root.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await root.query(`DROP USER IF EXISTS ?@'%'`, [user]);
      await root.query(`DROP USER IF EXISTS ?@'localhost'`, [user]);
      await root.end();
    },
  };
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A TCP port nothing listens on: bind one, note it, close it. */
export async function refusedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
