import test from 'ava';
import { defineAddon } from '../../core/modules/manifest.ts';
import { loadOrder } from '../../core/modules/graph.ts';

const graph = (spec: Record<string, string[]>) => new Map(Object.entries(spec).map(([name, depends]) => [name, { name, depends }]));

test('load order puts dependencies first, ties by name', (t) => {
  const g = graph({ base: [], mail: ['base'], hr: ['base'], project: ['base'], helpdesk: ['mail', 'project', 'hr'] });
  t.deepEqual(loadOrder(g, ['helpdesk']), ['base', 'hr', 'mail', 'project', 'helpdesk']);
});

test('only wanted addons and their dependencies are loaded', (t) => {
  const g = graph({ base: [], mail: ['base'], extra: ['base'] });
  t.deepEqual(loadOrder(g, ['mail']), ['base', 'mail']);
});

test('a missing dependency names the path that needs it', (t) => {
  const g = graph({ base: [], a: ['base', 'b'], b: ['ghost'] });
  const err = t.throws(() => loadOrder(g, ['a']));
  t.is(err!.message, "Addon 'b' depends on 'ghost', which is not available (a -> b -> ghost)");
});

test('a dependency cycle names the cycle', (t) => {
  const g = graph({ base: [], a: ['b'], b: ['c'], c: ['a'] });
  const err = t.throws(() => loadOrder(g, ['a']));
  t.is(err!.message, 'Dependency cycle between addons: a -> b -> c -> a');
});

test('an unknown addon asked for is a clear error', (t) => {
  t.throws(() => loadOrder(graph({ base: [] }), ['nope']), { message: "Addon 'nope' is not available" });
});

test('manifests fill defaults and refuse unknown keys', (t) => {
  const m = defineAddon({ name: 'x', depends: ['base'] });
  t.deepEqual([m.version, m.data, m.demo, m.application], ['1.0.0', [], [], false]);
  t.throws(() => defineAddon({ name: 'x', dependencies: ['base'] } as any), { message: "Manifest of 'x': unknown key 'dependencies'" });
  t.throws(() => defineAddon({ name: 'Bad Name' }), { message: /invalid addon name/ });
  t.throws(() => defineAddon({ name: 'x', version: 'one' }), { message: /invalid version 'one'/ });
});
