/** The XML-RPC codec on its own: every value type in, Odoo's marshalling out, bad XML refused. */
import test from 'ava';
import { parseMethodCall, parseMethodResponse, serializeFault, serializeResponse, serializeValue, XmlRpcParseError } from '../../core/http/rpc/xml-rpc.ts';

const call = (params: string) => `<?xml version="1.0"?><methodCall><methodName>execute_kw</methodName><params>${params}</params></methodCall>`;
const param = (value: string) => `<param><value>${value}</value></param>`;

const typed: Array<[string, string, unknown]> = [
  ['int', '<int>42</int>', 42],
  ['i4', '<i4>-7</i4>', -7],
  ['i8', '<i8>9007199254740991</i8>', 9007199254740991],
  ['double', '<double>3.25</double>', 3.25],
  ['boolean true', '<boolean>1</boolean>', true],
  ['boolean false', '<boolean>0</boolean>', false],
  ['string with entities', '<string>a &lt;b&gt; &amp; c</string>', 'a <b> & c'],
  ['bare text string', 'plain text', 'plain text'],
  ['empty string', '<string></string>', ''],
  ['nil', '<nil/>', null],
  ['array', '<array><data><value><int>1</int></value><value><string>x</string></value></data></array>', [1, 'x']],
  ['empty array', '<array><data></data></array>', []],
  ['struct', '<struct><member><name>limit</name><value><int>5</int></value></member><member><name>fields</name><value><array><data><value>name</value></data></array></value></member></struct>', { limit: 5, fields: ['name'] }],
  ['base64', '<base64>aGVsbG8=</base64>', Buffer.from('hello')],
];
for (const [name, xml, expected] of typed) {
  test(`parses <${name}>`, (t) => {
    t.deepEqual(parseMethodCall(call(param(xml))).params, [expected]);
  });
}

test('parses dateTime.iso8601 (Python sends naive UTC) into a Date', (t) => {
  const [d] = parseMethodCall(call(param('<dateTime.iso8601>20240131T10:20:30</dateTime.iso8601>'))).params as [Date];
  t.true(d instanceof Date);
  t.is(d.toISOString(), '2024-01-31T10:20:30.000Z');
});

test('reads the method name and several params in order', (t) => {
  const parsed = parseMethodCall(call(param('<string>db</string>') + param('<int>2</int>')));
  t.is(parsed.method, 'execute_kw');
  t.deepEqual(parsed.params, ['db', 2]);
});

const malformed: Array<[string, string]> = [
  ['not XML at all', 'hello'],
  ['an unclosed tag', '<methodCall><methodName>x</methodName><params>'],
  ['a wrong root element', '<methodResponse><params/></methodResponse>'],
  ['no method name', '<methodCall><params/></methodCall>'],
  ['an invalid int', call(param('<int>12abc</int>'))],
  ['an invalid boolean', call(param('<boolean>yes</boolean>'))],
  ['an unknown type', call(param('<float>1.0</float>'))],
  ['a member without a value', call(param('<struct><member><name>a</name></member></struct>'))],
  ['a DOCTYPE (entity expansion)', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><methodCall><methodName>x</methodName></methodCall>'],
  ['an empty body', ''],
];
for (const [name, xml] of malformed) {
  test(`refuses ${name} with a parse error`, (t) => {
    t.throws(() => parseMethodCall(xml), { instanceOf: XmlRpcParseError });
  });
}

test('serialises null and undefined as false (Odoo has no nil on the way out)', (t) => {
  t.is(serializeValue(null), '<value><boolean>0</boolean></value>');
  t.is(serializeValue(undefined), '<value><boolean>0</boolean></value>');
});

test('serialises numbers as int, i8 beyond 32 bits, or double', (t) => {
  t.is(serializeValue(5), '<value><int>5</int></value>');
  t.is(serializeValue(2 ** 40), `<value><i8>${2 ** 40}</i8></value>`);
  t.is(serializeValue(1.5), '<value><double>1.5</double></value>');
});

test('serialises dates as Odoo datetime strings and bytes as base64 strings', (t) => {
  t.is(serializeValue(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), '<value><string>2024-01-02 03:04:05</string></value>');
  t.is(serializeValue(Buffer.from('hi')), '<value><string>aGk=</string></value>');
});

test('escapes markup and strips control characters XML 1.0 forbids', (t) => {
  t.is(serializeValue('a<b>&\u0001c'), '<value><string>a&lt;b&gt;&amp;c</string></value>');
});

test('a response round-trips through the client parser', (t) => {
  const value = { ids: [1, 2], name: 'x', ok: true, nested: { n: null } };
  t.deepEqual(parseMethodResponse(serializeResponse(value)).value, { ids: [1, 2], name: 'x', ok: true, nested: { n: false } });
});

test('a fault carries faultCode and faultString', (t) => {
  t.deepEqual(parseMethodResponse(serializeFault({ faultCode: 4, faultString: 'denied' })).fault, { faultCode: 4, faultString: 'denied' });
});

test('recursive structures cannot be serialised', (t) => {
  const a: Record<string, unknown> = {};
  a.self = a;
  t.throws(() => serializeValue(a), { message: /recursive/ });
});
