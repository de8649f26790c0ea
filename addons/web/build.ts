/**
 * Bundles the web client (`static/src/main.ts` and the CSS it imports) with esbuild into
 * `static/dist/main.js` + `main.css` (ESM, browser, minified by default; git-ignored).
 * The HTTP server serves that folder at `/web/static/dist/`. Run by hand with
 * `npx tsx addons/web/build.ts`.
 *
 * A build is skipped when the bundle on disk was made from the same sources: `.build.json`
 * beside it records the esbuild version, the options and a content hash of every input file
 * esbuild read (its metafile), so a restart reuses the bundle and any edit rebuilds it.
 */
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

/** esbuild's version from its package.json: a restart that reuses the bundle does not load esbuild. */
const esbuildVersion = (createRequire(import.meta.url)('esbuild/package.json') as { version: string }).version;

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

/** What `.build.json` records about the bundle in the folder. */
interface BuildRecord {
  key: string;
  /** Input path (relative to this folder) → sha1 of its content. */
  inputs: Record<string, string>;
  gzipBytes: number;
}

const RECORD_FILE = path.join(WEB_DIST_DIR, '.build.json');
const sha1 = (data: Buffer | string) => createHash('sha1').update(data).digest('hex');

/** The bundle on disk, when it was built from the current sources with these options. */
function reusableBuild(key: string, js: string, css: string): BuildRecord | null {
  if (!existsSync(RECORD_FILE) || !existsSync(js) || !existsSync(css)) return null;
  let record: BuildRecord;
  try { record = JSON.parse(readFileSync(RECORD_FILE, 'utf8')) as BuildRecord; } catch { return null; }
  if (record.key !== key) return null;
  for (const [file, hash] of Object.entries(record.inputs)) {
    const full = path.join(here, file);
    if (!existsSync(full) || sha1(readFileSync(full)) !== hash) return null;
  }
  return record;
}

export async function buildWebClient(opts: { minify?: boolean; force?: boolean } = {}): Promise<WebClientBuild> {
  const minify = opts.minify ?? true;
  const js = path.join(WEB_DIST_DIR, 'main.js');
  const css = path.join(WEB_DIST_DIR, 'main.css');
  const key = JSON.stringify({ esbuild: esbuildVersion, minify });
  const reused = opts.force ? null : reusableBuild(key, js, css);
  if (reused) return { js, css, gzipBytes: reused.gzipBytes };
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: here,
    metafile: true,
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
  const inputs: Record<string, string> = {};
  for (const file of Object.keys(result.metafile.inputs)) inputs[file] = sha1(readFileSync(path.join(here, file)));
  const gzipBytes = gzipSync(readFileSync(js), { level: 9 }).length;
  writeFileSync(RECORD_FILE, JSON.stringify({ key, inputs, gzipBytes } satisfies BuildRecord));
  return { js, css, gzipBytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await buildWebClient({ minify: !process.argv.includes('--no-minify'), force: true });
  console.log(`${result.js}\n${result.css}\nmain.js gzipped: ${(result.gzipBytes / 1024).toFixed(1)} KB`);
}
