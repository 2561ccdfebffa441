import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Conn } from '../../src/model.js';
import { skippedMessage } from '../../src/parse/conn-records.js';
import { readTable } from '../../src/parse/read-table.js';
import { fixture } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-read-'));
const proc = readFileSync(fixture('nat-router/proc_nf_conntrack.txt'));

describe('readTable', () => {
  it('reads a gzip file by its magic bytes, whatever its name', async () => {
    const path = join(dir, 'table.txt');
    writeFileSync(path, gzipSync(proc));
    const conns: Conn[] = [];
    const r = await readTable({ file: path }, (c) => conns.push(c));
    assert.equal(conns.length, 34);
    assert.deepEqual({ ...r, bytes: 0 }, { lines: 34, records: 34, skipped: 0, firstSkippedLine: undefined, bytes: 0, cutOff: false, unknownNames: undefined });
  });

  it('counts unparseable lines and remembers the first one', async () => {
    const lines = proc.toString('latin1').split('\n');
    lines.splice(3, 0, 'garbage here');
    lines.splice(10, 0, 'x'.repeat(20000));
    const path = join(dir, 'mixed.txt');
    writeFileSync(path, lines.join('\n'), 'latin1');
    let n = 0;
    const r = await readTable({ file: path }, () => n++);
    assert.equal(n, 34);
    assert.equal(r.skipped, 2);
    assert.equal(r.firstSkippedLine, 4);
    assert.equal(skippedMessage(r), 'ctflow: skipped 2 unparseable lines (first at line 4)');
  });

  it('stops at the first bad line with strict, naming its number and text', async () => {
    const path = join(dir, 'bad.txt');
    writeFileSync(path, `${proc.toString('latin1').split('\n')[0]}\nnot an entry\n`);
    await assert.rejects(readTable({ file: path, strict: true }, () => undefined), {
      message: 'ctflow: line 2 is not a conntrack entry: "not an entry"',
      exitCode: 1,
    });
  });

  it('reads stdin when told to', async () => {
    let n = 0;
    await readTable({ stdin: true, stdinStream: Readable.from([proc.subarray(0, 500), proc.subarray(500)]) }, () => n++);
    assert.equal(n, 34);
  });

  it('says which file it cannot read and why', async () => {
    await assert.rejects(readTable({ file: join(dir, 'missing') }, () => undefined), {
      message: `ctflow: cannot read ${join(dir, 'missing')}: no such file`,
      exitCode: 1,
    });
    await assert.rejects(readTable({ procPath: join(dir, 'nf_conntrack') }, () => undefined), /is the nf_conntrack module loaded/);
  });
});
