/**
 * The process's LISTEN connection (core/db/listener.ts) on a PostgreSQL server: every
 * subscriber shares one connection, a channel subscribed while it is up is listened to at
 * once, a subscription is live only while started, and the connection goes with the last
 * subscription.
 */
import test from 'ava';
import pg from 'pg';
import { ChannelListener } from '../../core/db/listener.ts';
import { within } from '../helpers/poll.ts';

const url = process.env.ERP_DB_URL;
const serverTest = url ? test.serial : test.serial.skip;

async function notify(channel: string, payload: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
  } finally {
    await client.end();
  }
}

serverTest('two channels share one connection, each payload reaches its own subscribers only', async (t) => {
  const listener = new ChannelListener(url!);
  const got: string[] = [];
  const a = listener.channel('erp_test_a', (p) => got.push(`a:${p}`));
  const b = listener.channel('erp_test_b', (p) => got.push(`b:${p}`));
  try {
    t.false(a.live, 'not live before it starts');
    await a.start();
    t.true(a.live);
    t.false(b.live, 'a subscription not started is not live, even on a live connection');
    const pid = a.backendPid;
    const epoch = listener.epoch;
    await b.start();
    t.true(b.live);
    t.is(b.backendPid, pid, 'one connection');
    t.not(listener.epoch, epoch, 'a new channel starts a new epoch');
    await notify('erp_test_b', 'one');
    await notify('erp_test_a', 'two');
    t.true(await within(async () => got.length === 2) >= 0);
    t.deepEqual(got.sort(), ['a:two', 'b:one']);
  } finally {
    await listener.close();
  }
});

serverTest('a closed subscription stops hearing; the last one closes the connection', async (t) => {
  const listener = new ChannelListener(url!);
  const got: string[] = [];
  const a = listener.channel('erp_test_c', (p) => got.push(`a:${p}`));
  const b = listener.channel('erp_test_c', (p) => got.push(`b:${p}`));
  await a.start();
  await b.start();
  await a.close();
  t.false(a.live);
  t.true(b.live);
  await notify('erp_test_c', 'x');
  t.true(await within(async () => got.length > 0) >= 0);
  await new Promise((r) => setTimeout(r, 50));
  t.deepEqual(got, ['b:x']);
  await b.close();
  t.false(listener.live);
  t.is(listener.backendPid, null);
  // Started again, it connects again.
  await a.start();
  t.true(a.live);
  await listener.close();
  t.false(a.live);
});

serverTest('a cut connection comes back with every channel, in a new epoch', async (t) => {
  const listener = new ChannelListener(url!);
  const got: string[] = [];
  const a = listener.channel('erp_test_d', (p) => got.push(`a:${p}`));
  const b = listener.channel('erp_test_e', (p) => got.push(`b:${p}`));
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await a.start();
    await b.start();
    const epoch = listener.epoch;
    await admin.query('SELECT pg_terminate_backend($1)', [listener.backendPid]);
    t.true(await within(async () => !a.live && !b.live) >= 0, 'both subscriptions see the loss');
    t.true(await within(async () => a.live && b.live) >= 0, 'both come back');
    t.not(listener.epoch, epoch);
    await notify('erp_test_d', '1');
    await notify('erp_test_e', '2');
    t.true(await within(async () => got.length === 2) >= 0);
    t.deepEqual(got.sort(), ['a:1', 'b:2']);
  } finally {
    await admin.end();
    await listener.close();
  }
});
