// Builds everything the two shells run: the renderer (Vite) and four Node bundles (esbuild):
// the Electron main process, its sandboxed preload (one CommonJS file, as the sandbox requires),
// the serve shell, and the privileged helper (one file the system's node runs as root).
import { chmod } from 'node:fs/promises';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
  // Provided by the Electron runtime; resolving it in Node would try to download Electron.
  external: ['electron'],
};

await Promise.all([
  viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' }),
  esbuild({ ...common, entryPoints: ['electron/main/main.ts'], outfile: 'dist/electron/main.cjs' }),
  esbuild({ ...common, entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/electron/preload.cjs' }),
  esbuild({ ...common, entryPoints: ['electron/serve/serve-cli.ts'], outfile: 'dist/serve.cjs' }),
  esbuild({
    ...common,
    entryPoints: ['electron/helper/helper-main.ts'],
    outfile: 'dist/helper/switchyard-helper.cjs',
    // pkexec runs the file itself: the system's node by absolute path, never one found through PATH.
    banner: { js: '#!/usr/bin/node' },
    sourcemap: false,
  }),
]);
await chmod('dist/helper/switchyard-helper.cjs', 0o755);
