import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { parseConnLine } from '../../src/parse/conn-line.js';
import { connToCsv, csvHeader } from '../../src/render/conn-csv.js';
import { fixtureFiles, lineRanges } from '../helpers/fixture-lines.js';
import { runCli } from '../helpers/cli.js';

// `list --csv` writes its rows as bytes (render/conn-csv-bytes.ts): on every fixture the output
// must stay the header and connToCsv of each record the table holds, in table order with
// --sort none and in some order by default.
it('list --csv over every fixture is the header and connToCsv of each record, in order with --sort none', async () => {
  let files = 0;
  for (const file of fixtureFiles()) {
    const rows: string[] = [];
    for (const [s, e] of lineRanges(file.bytes)) {
      const c = parseConnLine(file.bytes.toString('latin1', s, e));
      if (c !== undefined) rows.push(connToCsv(c));
    }
    if (rows.length === 0) continue;
    const path = join('fixtures', file.name);
    const inOrder = await runCli(['list', '--csv', '--sort', 'none', '--file', path]);
    assert.deepStrictEqual([inOrder.code, inOrder.stdout], [0, csvHeader() + rows.join('')], file.name);
    const sorted = await runCli(['list', '--csv', '--file', path]);
    assert.deepStrictEqual([sorted.code, sorted.stdout.split('\n').sort()], [0, (csvHeader() + rows.join('')).split('\n').sort()], file.name);
    files++;
  }
  assert.ok(files > 5, `${files} files`);
});
