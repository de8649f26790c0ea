export { defineAddon, type Manifest } from './manifest.ts';
export { loadOrder } from './graph.ts';
export { loadRegistry, discoverAddons, type AddonInfo, type AddonModule, type LoadOptions, type LoadedRegistry } from './loader.ts';
