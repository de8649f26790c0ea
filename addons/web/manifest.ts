import { defineAddon } from '../../core/modules/manifest.ts';

/** Server-wide (config `server_wide_modules`): installed with `base` on every database. */
export default defineAddon({
  name: 'web',
  version: '1.0.0',
  summary: 'Web client: lit components generated from the XML views, login and session pages, data and file routes',
  category: 'Hidden',
  depends: ['base'],
});
