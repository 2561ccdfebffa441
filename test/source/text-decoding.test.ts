// Text fields are UTF-8 whatever the source: the kernel cannot print `helper=fé` on demand (a
// userspace helper or a connlabel.conf name can carry any bytes), so the lines are real fixture
// lines with the helper's name changed.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { listJob } from '../../src/scan/list-job.js';
import { openEventStream } from '../../src/kernel/event-stream.js';
import type { Conn } from '../../src/model.js';
import { parseEventLine, type ConnEvent } from '../../src/parse/event-line.js';
import { LineSplitter } from '../../src/source/line-splitter.js';
import { runScan } from '../../src/scan/run-scan.js';
import { readTable, type ReadOptions } from '../../src/parse/read-table.js';
import { DESTROY_EVENT, FTP_LINE } from '../helpers/edge-lines.js';
import { fakeConntrack } from '../helpers/fake-conntrack.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-utf8-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** FTP_LINE (helper=ftp) with the helper's name as these bytes */
const ftpWith = (helper: Buffer): Buffer => {
  const [before, after] = FTP_LINE.split('helper=ftp');
  return Buffer.concat([Buffer.from(`${before}helper=`), helper, Buffer.from(`${after}\n`)]);
};
const FE = Buffer.from('fé', 'utf8'); // 66 c3 a9

async function helpers(opts: ReadOptions): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  await readTable(opts, (c: Conn) => out.push(c.helper));
  return out;
}

describe('every source decodes text fields as UTF-8', () => {
  it('reads helper=fé as fé from a file, gzip, stdin cut inside the é, conntrack -L and scan workers', async () => {
    const table = ftpWith(FE);
    const plain = join(dir, 'fe.txt');
    writeFileSync(plain, table);
    const gz = join(dir, 'fe.gz');
    writeFileSync(gz, gzipSync(table));
    const cut = table.indexOf(0xa9);
    assert.deepStrictEqual(await helpers({ file: plain }), ['fé']);
    assert.deepStrictEqual(await helpers({ file: gz }), ['fé']);
    assert.deepStrictEqual(await helpers({ stdin: true, stdinStream: Readable.from([table.subarray(0, cut), table.subarray(cut)]) }), ['fé']);
    // a stream of strings is text: its characters, not its UTF-16 units cut to bytes
    assert.deepStrictEqual(await helpers({ stdin: true, stdinStream: Readable.from([table.toString('utf8')]) }), ['fé']);
    const fake = fakeConntrack(dir, { table: plain });
    assert.deepStrictEqual(await helpers({ exec: true, conntrackBin: fake.bin }), ['fé']);

    // 300 lines in 4 KB batches: most are parsed by the worker, and their NDJSON comes back as bytes
    const many = join(dir, 'fe-many.txt');
    writeFileSync(many, Buffer.concat(Array.from({ length: 300 }, () => table)));
    let out = '';
    const job = listJob({ filter: {}, mode: 'ndjson', sort: undefined, reverse: false, limit: 0 });
    const r = await runScan({ file: many }, job, { emit: (t) => { out += t; }, workers: 1, parallelMin: 1, batchBytes: 4096 });
    assert.equal(r.workers, 1);
    const lines = out.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 300);
    assert.deepStrictEqual(new Set(lines.map((l) => (JSON.parse(l) as { helper: string }).helper)), new Set(['fé']));
  });

  it('reads bytes that are not UTF-8 as U+FFFD, as TextDecoder does, and keeps the entry', async () => {
    const path = join(dir, 'bad.txt');
    // a byte UTF-8 never uses (ff), a lead byte without its continuation (c3 before '('), a 3-byte sequence cut short
    writeFileSync(path, ftpWith(Buffer.from([0x66, 0xff, 0xc3, 0x28, 0xe2, 0x82])));
    assert.deepStrictEqual(await helpers({ file: path }), ['f\ufffd\ufffd(\ufffd']);
  });
});

describe('event text is UTF-8 too', () => {
  /** a DESTROY event conntrack -D caused, with a helper and the program's name in UTF-8 */
  const event = Buffer.from(`${DESTROY_EVENT.replace(' id=', ' helper=fé id=').replace('progname=conntrack', 'progname=cöntrack')}\n`, 'utf8');

  it('decodes a line cut inside a character between two chunks (conntrack -E)', () => {
    const got: (ConnEvent | undefined)[] = [];
    const splitter = new LineSplitter({ line: (t) => got.push(parseEventLine(t)), overlong: () => assert.fail('overlong') });
    const at = event.indexOf(0xc3);
    splitter.push(event.subarray(0, at + 1));
    splitter.push(event.subarray(at + 1));
    splitter.end();
    assert.deepStrictEqual(got.map((e) => [e?.conn.helper, e?.userspace?.progname]), [['fé', 'cöntrack']]);
  });

  it('decodes saved events read from a file', async () => {
    const path = join(dir, 'events.txt');
    writeFileSync(path, event);
    const got: (ConnEvent | undefined)[] = [];
    const stream = openEventStream({ file: path }, { line: (t) => got.push(parseEventLine(t)), overlong: () => assert.fail('overlong'), lost: () => assert.fail('lost') });
    await stream.done;
    assert.deepStrictEqual(got.map((e) => [e?.conn.helper, e?.userspace?.progname]), [['fé', 'cöntrack']]);
  });
});
