/**
 * Addon dependency graph: the load order (dependencies first, ties by name so the order is
 * stable), with a clear error for a missing dependency (naming the path that needs it) or
 * a cycle (naming the cycle).
 */
import { AddonError } from '../errors.ts';

export interface GraphNode {
  name: string;
  depends: string[];
}

/** Orders `wanted` and everything they depend on. */
export function loadOrder(available: Map<string, GraphNode>, wanted: string[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new AddonError(`Dependency cycle between addons: ${cycle.join(' -> ')}`);
    }
    const node = available.get(name);
    if (!node) {
      throw new AddonError(path.length ? `Addon '${path[path.length - 1]}' depends on '${name}', which is not available (${[...path, name].join(' -> ')})` : `Addon '${name}' is not available`);
    }
    state.set(name, 'visiting');
    for (const dep of [...node.depends].sort()) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of [...wanted].sort()) visit(name, []);
  return order;
}
