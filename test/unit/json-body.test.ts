import test from 'ava';
import { parseJson } from '../../core/http/body.ts';

test('a JSON body keeps its values', (t) => {
  t.deepEqual(parseJson(Buffer.from('{"a": [1, "dos", {"b": null}], "ñ": "año"}')), { a: [1, 'dos', { b: null }], ñ: 'año' });
});

for (const [title, body] of [
  ['plain', '{"a": 1, "__proto__": {"polluted": true}, "n": {"__proto__": {"polluted": true}}}'],
  ['written with \\u escapes', '{"a": 1, "\\u005f_proto\\u005f_": {"polluted": true}, "n": {"__pro\\u0074o__": {"polluted": true}}}'],
] as const) {
  test(`__proto__ keys (${title}) are dropped, whatever the body`, (t) => {
    const parsed = parseJson(Buffer.from(body)) as Record<string, any>;
    t.is(parsed.a, 1);
    t.false(Object.prototype.hasOwnProperty.call(parsed, '__proto__'));
    t.false(Object.prototype.hasOwnProperty.call(parsed.n, '__proto__'));
    t.is(Object.assign({}, parsed, parsed.n).polluted, undefined);
    t.is(({} as any).polluted, undefined);
  });
}

test('a body that is not JSON is a BadRequest naming the problem', (t) => {
  t.throws(() => parseJson(Buffer.from('{"a": ')), { name: 'BadRequest', message: /^Invalid JSON data: / });
  t.throws(() => parseJson(Buffer.from('  ')), { message: 'Invalid JSON data: the request body is empty' });
});
