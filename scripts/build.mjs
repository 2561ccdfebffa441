#!/usr/bin/env node
// `npm run build`: type-checks the sources with tsc, then bundles them with esbuild into
// dist/cli.js (the CLI), dist/scan-worker.js (the scan worker thread it starts) and dist/man.js
// (what scripts/man.mjs writes docs/ctflow.1 from).
//
// Why a bundle: node spent ~0.13 s and ~19 MB resolving, reading and compiling ctflow's ~100
// modules and its dependencies before reading a byte of the table (`ctflow --version` took
// 0.21 s against 0.09 s for `node -e 0`); one file halves that, on every command and in every
// worker (docs/performance.md). Tests of single modules still run tsc's unbundled output in
// build/ (tsconfig.test.json); the CLI tests run this bundle.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

// (`npm test` passes --no-check: its own tsc run over src and tests checks the same sources)
if (!process.argv.includes('--no-check')) {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit' });
}

/**
 * `import process from 'node:process'` (chalk's supports-color) makes node build the module's
 * ES facade, which reads every property of `process`, stdin included: that getter opens fd 0 as
 * a non-blocking stream, and `cat T | ctflow --stdin` then met EAGAIN and fell back to the slow
 * stream path (~0.4 s more on 1M lines). The global `process` is the same object (as CommonJS, so
 * default, named and namespace imports of it all work).
 */
const globalProcess = {
  name: 'global-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?process$/ }, (args) => (args.kind === 'import-statement' ? { path: 'process', namespace: 'global-process' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'global-process' }, () => ({ contents: 'module.exports = process;', loader: 'js' }));
  },
};

rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
await build({
  // (man: the man page generator scripts/man.mjs loads, from the same definitions as the CLI)
  entryPoints: { cli: join(ROOT, 'src', 'cli.ts'), 'scan-worker': join(ROOT, 'src', 'scan', 'scan-worker.ts'), man: join(ROOT, 'src', 'man.ts') },
  outdir: join(ROOT, 'dist'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // commander and split2 are CommonJS: their require() of node's own modules needs a
  // real require in an ES module bundle
  banner: { js: "import { createRequire as ctflowRequire } from 'node:module';\nconst require = ctflowRequire(import.meta.url);" },
  plugins: [globalProcess],
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
});
