/**
 * Addon manifests. `defineAddon()` checks the keys against one table of known keys with
 * their defaults (Odoo's default-manifest table, minus its deprecated aliases): an unknown
 * key is an error, not something silently ignored.
 */
import { AddonError } from '../errors.ts';

export interface Manifest {
  /** Technical name; must equal the addon's folder name. */
  name: string;
  /** Version of the addon, `major.minor.patch`; a higher one triggers data upgrade. */
  version: string;
  /** One-line description shown in the Apps list. */
  summary: string;
  /** Longer description (Markdown). */
  description: string;
  /** Addons that must be loaded before this one. */
  depends: string[];
  /** Data files (XML, CSV) loaded at install and upgrade, in this order. */
  data: string[];
  /** Demo data files, loaded only when demo data is enabled. */
  demo: string[];
  /** Installed on a new database without being asked for. */
  auto_install: boolean;
  /** Shown as an app (top-level) in the Apps list. */
  application: boolean;
  /** Author, license and category, informative. */
  author: string;
  license: string;
  category: string;
}

const DEFAULTS: Omit<Manifest, 'name'> = {
  version: '1.0.0',
  summary: '',
  description: '',
  depends: [],
  data: [],
  demo: [],
  auto_install: false,
  application: false,
  author: '',
  license: 'LGPL-3',
  category: 'Uncategorized',
};

export type ManifestInput = Partial<Manifest> & { name: string };

export function defineAddon(input: ManifestInput): Manifest {
  for (const key of Object.keys(input)) {
    if (key !== 'name' && !(key in DEFAULTS)) throw new AddonError(`Manifest of '${input.name}': unknown key '${key}'`);
  }
  if (!/^[a-z][a-z0-9_]*$/.test(input.name ?? '')) throw new AddonError(`Manifest: invalid addon name ${JSON.stringify(input.name)}`);
  if (input.version !== undefined && !/^\d+(\.\d+)*$/.test(input.version)) throw new AddonError(`Manifest of '${input.name}': invalid version '${input.version}'`);
  return { ...DEFAULTS, ...input, depends: [...(input.depends ?? [])], data: [...(input.data ?? [])], demo: [...(input.demo ?? [])] };
}
