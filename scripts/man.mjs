#!/usr/bin/env node
// `npm run man`: writes docs/ctflow.1 from ctflow's own command definitions (src/man.ts, bundled
// as dist/man.js by the build). `--stdout` prints the page instead: the test compares that with
// the committed file, byte for byte.

import { writeFileSync } from 'node:fs';

const { manText } = await import(new URL('../dist/man.js', import.meta.url).href);
if (process.argv.includes('--stdout')) process.stdout.write(manText());
else writeFileSync(new URL('../docs/ctflow.1', import.meta.url), manText());
