// Every line of every text fixture (kernel captures and generated tables), for tests that must
// hold on all the input we have.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export interface FixtureFile {
  /** path under fixtures/ */
  name: string;
  bytes: Buffer;
}

export function fixtureFiles(): FixtureFile[] {
  const out: FixtureFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(txt|tsv)$/.test(entry)) out.push({ name: path.slice(join(ROOT, 'fixtures').length + 1), bytes: readFileSync(path) });
    }
  };
  walk(join(ROOT, 'fixtures'));
  return out;
}

/** [start, end) of each line of a buffer (no newline), the last one even without a newline. */
export function lineRanges(buf: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  while (start < buf.length) {
    let nl = buf.indexOf(10, start);
    if (nl < 0) nl = buf.length;
    out.push([start, nl]);
    start = nl + 1;
  }
  return out;
}
