/**
 * Bundles the web client (`static/src/main.ts` and the CSS it imports) with esbuild into
 * `static/dist/main.js` + `main.css` (ESM, browser, minified by default; git-ignored).
 * The HTTP server serves that folder at `/web/static/dist/`. Run by hand with
 * `npx tsx addons/web/build.ts`.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIST_DIR = path.join(here, 'static', 'dist');

export interface WebClientBuild {
  /** Absolute path of the JavaScript bundle. */
  js: string;
  /** Absolute path of the stylesheet. */
  css: string;
  /** Gzipped size of the JavaScript bundle, in bytes. */
  gzipBytes: number;
}

export async function buildWebClient(opts: { minify?: boolean } = {}): Promise<WebClientBuild> {
  const minify = opts.minify ?? true;
  await build({
    entryPoints: { main: path.join(here, 'static', 'src', 'main.ts') },
    outdir: WEB_DIST_DIR,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15.4'],
    minify,
    sourcemap: minify ? false : 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    // Lit's reactive properties need [[Set]] class fields: stated here, whatever tsconfig says.
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, experimentalDecorators: false } },
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const js = path.join(WEB_DIST_DIR, 'main.js');
  const css = path.join(WEB_DIST_DIR, 'main.css');
  return { js, css, gzipBytes: gzipSync(readFileSync(js), { level: 9 }).length };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await buildWebClient({ minify: !process.argv.includes('--no-minify') });
  console.log(`${result.js}\n${result.css}\nmain.js gzipped: ${(result.gzipBytes / 1024).toFixed(1)} KB`);
}
