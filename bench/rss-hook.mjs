// Loaded with `node --import` by bench/run.mjs when /usr/bin/time is missing: reports the
// process's own peak RSS on stderr as it exits.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `CTFLOW_BENCH_MAXRSS=${process.resourceUsage().maxRSS}\n`);
});
