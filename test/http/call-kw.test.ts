/** callKw: the one RPC dispatcher (declared methods only, kwargs by name, wire-safe results). */
import test from 'ava';
import type { App } from '../../core/app.ts';
import { callKw, toWire } from '../../core/http/rpc/call-kw.ts';
import { makeTestApp } from '../helpers/app.ts';

let app: App;
test.before(async () => { app = await makeTestApp({ addons: ['base'] }); });
test.after.always(async () => { await app?.close(); });

const asAdmin = <T>(fn: Parameters<App['withEnv']>[1]) => app.withEnv(2, fn) as Promise<T>;

test('a model method gets its positional args and its kwargs by declared name', async (t) => {
  const rows = await asAdmin<any[]>((env) => callKw(env, 'res.partner', 'search_read', [[['id', '=', 2]]], { fields: ['name'], limit: 1 }));
  t.deepEqual(rows, [{ id: 2, name: 'Administrator' }]);
});

test('a records method takes ids first, as an int or a list', async (t) => {
  const one = await asAdmin<any[]>((env) => callKw(env, 'res.partner', 'read', [2, ['name']]));
  const list = await asAdmin<any[]>((env) => callKw(env, 'res.partner', 'read', [[2], ['name']]));
  t.deepEqual(one, list);
  t.is(one[0].name, 'Administrator');
});

test('create with one dict returns one id, with a list returns ids', async (t) => {
  const id = await asAdmin<number>((env) => callKw(env, 'res.partner', 'create', [{ name: 'Solo' }]));
  const ids = await asAdmin<number[]>((env) => callKw(env, 'res.partner', 'create', [[{ name: 'A' }, { name: 'B' }]]));
  t.is(typeof id, 'number');
  t.is(ids.length, 2);
});

test('recordsets in results become id lists', async (t) => {
  const ids = await asAdmin<number[]>((env) => callKw(env, 'res.partner', 'search', [[['id', '=', 2]]]));
  t.deepEqual(ids, [2]);
});

test('the context kwarg becomes the environment context over the user language', async (t) => {
  const seen = await asAdmin<unknown>(async (env) => {
    let ctx: unknown;
    const cls = env.registry.get('res.partner')! as any;
    const original = cls.prototype.fields_get;
    cls.prototype.fields_get = function (this: any) { ctx = this.env.context; return original.apply(this, arguments); };
    try {
      await callKw(env, 'res.partner', 'fields_get', [], { context: { lang: 'es_ES', custom: 1 }, attributes: ['type'] });
    } finally {
      cls.prototype.fields_get = original;
    }
    return ctx;
  });
  t.like(seen as object, { lang: 'es_ES', tz: 'UTC', custom: 1 });
});

const refused: Array<[string, string, string, unknown[], Record<string, unknown>, RegExp]> = [
  ['a private method', 'res.partner', '_displayNames', [[2]], {}, /Private methods \(such as _displayNames\)/],
  ['an undeclared method', 'res.partner', 'checkAccessRule', [[2], 'read'], {}, /does not exist on the model 'res.partner'/],
  ['an unknown method', 'res.partner', 'nope', [], {}, /'nope' does not exist/],
  ['an unknown model', 'no.model', 'search', [[]], {}, /Model 'no.model' does not exist/],
  ['an unknown keyword argument', 'res.partner', 'search', [[]], { bogus: 1 }, /unexpected keyword argument 'bogus'/],
  ['a keyword given twice', 'res.partner', 'search', [[], 0], { offset: 1 }, /multiple values for argument 'offset'/],
  ['records method without ids', 'res.partner', 'read', [], {}, /expects the record ids/],
  ['ids that are not integers', 'res.partner', 'read', [['x']], {}, /expects the record ids/],
  ['args that are not a list', 'res.partner', 'search', 'x' as unknown as unknown[], {}, /must be a list/],
];
for (const [name, model, method, args, kwargs, message] of refused) {
  test(`refuses ${name} with a clear error`, async (t) => {
    await t.throwsAsync(asAdmin((env) => callKw(env, model, method, args, kwargs)), { message });
  });
}

test('a method returning nothing answers false', async (t) => {
  const result = await asAdmin((env) => callKw(env, 'ir.config_parameter', 'set_param', ['test.key', 'v']));
  t.is(result, true);
  const cls = app.registry.get('res.partner')! as any;
  cls._meta.rpc.set('__test_void', 'model');
  cls.prototype.__test_void = async () => undefined;
  try {
    // names starting with '_' are refused even when declared
    await t.throwsAsync(asAdmin((env) => callKw(env, 'res.partner', '__test_void', [])), { message: /Private methods/ });
    cls._meta.rpc.set('test_void', 'model');
    cls.prototype.test_void = async () => undefined;
    t.is(await asAdmin((env) => callKw(env, 'res.partner', 'test_void', [])), false);
  } finally {
    cls._meta.rpc.delete('__test_void');
    cls._meta.rpc.delete('test_void');
    delete cls.prototype.__test_void;
    delete cls.prototype.test_void;
  }
});

test('toWire converts dates, bytes, maps and sets, and leaves plain data untouched', (t) => {
  t.deepEqual(toWire({ d: new Date(Date.UTC(2024, 4, 6, 7, 8, 9)), b: Buffer.from('hi'), m: new Map([[1, 'a']]), s: new Set([2]), u: undefined, n: 10n }),
    { d: '2024-05-06 07:08:09', b: 'aGk=', m: { 1: 'a' }, s: [2], u: false, n: 10 });
  const plain = [{ id: 1, name: 'x', tags: [1, 2], partner_id: [3, 'P'] }];
  t.is(toWire(plain), plain, 'no copy when nothing changes');
});
