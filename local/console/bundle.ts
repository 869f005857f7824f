import { join } from 'node:path';

/**
 * The page's script: `web/main.tsx` (Preact components) bundled by esbuild
 * in memory on the first request for it, then kept. No build step before
 * `npm start`, nothing written to disk; about 60 ms once per runtime.
 */

let bundle: Promise<Buffer> | undefined;

export function bundlePage(): Promise<Buffer> {
  bundle ??= (async () => {
    // Loaded on first use: the runtime starts as fast without a page open.
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [join(__dirname, 'web', 'main.tsx')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      jsx: 'automatic',
      jsxImportSource: 'preact',
      legalComments: 'none',
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (output === undefined) throw new Error('esbuild produced no bundle for the console page');
    return Buffer.from(output.contents);
  })();
  bundle.catch(() => {
    bundle = undefined; // a failed build is tried again on the next request
  });
  return bundle;
}
