// `ctflow completion bash|zsh|fish` and docs/ctflow.1 are written from the commands' own
// definitions: the scripts load in their shells and complete command names, options and option
// values; the man page regenerates byte for byte, renders with man(1) without a warning, and
// documents every option each command's --help lists.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, runCli } from '../helpers/cli.js';
import { helpFlags } from '../helpers/option-coverage.js';

const dir = mkdtempSync(join(tmpdir(), 'ctflow-completion-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const missing = (program: string): string | undefined =>
  spawnSync(program, ['--version']).error === undefined ? undefined : `needs ${program} (apt-get install ${program})`;

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell]);
  assert.deepStrictEqual([r.code, r.stderr], [0, '']);
  const path = join(dir, `ctflow.${shell}`);
  writeFileSync(path, r.stdout);
  return path;
}

const COMMANDS = ['flows', 'list', 'stats', 'protocols', 'watch', 'top', 'delete', 'flush', 'update', 'api read', 'api delete'];

describe('ctflow completion bash', () => {
  const skip = missing('bash');
  /** What the completion function offers for the words typed so far (the last one is under the cursor). */
  const complete = (path: string, words: string[]): string[] => {
    const array = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync('bash', ['--norc', '-c', `source '${path}' && COMP_WORDS=(${array}) && COMP_CWORD=${words.length - 1} && _ctflow && printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    assert.equal(r.stderr, '');
    return r.stdout.split('\n').filter((l) => l !== '');
  };

  it('loads in bash and registers _ctflow for ctflow', { skip }, async () => {
    const path = await script('bash');
    const r = spawnSync('bash', ['--norc', '-c', `source '${path}' && complete -p ctflow`], { encoding: 'utf8' });
    assert.deepStrictEqual([r.status, r.stdout, r.stderr], [0, 'complete -F _ctflow ctflow\n', '']);
  });

  it('completes commands, options and option values', { skip }, async () => {
    const path = await script('bash');
    const cases: [string[], string[]][] = [
      [['ctflow', 'li'], ['list']],
      [['ctflow', 'list', '--so'], ['--sort']],
      [['ctflow', 'l'], ['list', 'ls']],
      [['ctflow', 'ls', '--sort', 'pk'], ['pkts']],
      [['ctflow', 'top', '--sort', 'co'], ['connections', 'conns']],
      [['ctflow', '--rev'], ['--reverse']],
      [['ctflow', '-n', '--sort', 'pe'], ['peer']],
      [['ctflow', 'watch', '-e', ''], ['NEW', 'UPDATE', 'DESTROY', 'ALL']],
      [['ctflow', 'flush', '--family', ''], ['ipv4', 'ipv6']],
      [['ctflow', 'api', ''], ['read', 'delete']],
      [['ctflow', 'api', 'read', '--net'], ['--netdata']],
      [['ctflow', 'completion', ''], ['bash', 'zsh', 'fish']],
      [['ctflow', 'list', '--limit', ''], []],
      [['ctflow', 'list', '--file', join(dir, 'ctflow.ba')], [join(dir, 'ctflow.bash')]],
    ];
    assert.deepStrictEqual(cases.map(([words]) => [words.join(' '), complete(path, words)]), cases.map(([words, want]) => [words.join(' '), want]));
  });

  it('offers each command exactly the options its --help lists', { skip }, async () => {
    const path = await script('bash');
    for (const command of COMMANDS) {
      const help = (await runCli([...command.split(' '), '--help'])).stdout;
      const words = command.split(' ');
      assert.deepStrictEqual(complete(path, ['ctflow', ...words, '-']).sort(), [...helpFlags(help), '-h', '--help'].sort(), command);
    }
  });
});

describe('ctflow completion zsh', () => {
  it('loads in zsh (after compinit) without a word on stderr, and registers _ctflow', { skip: missing('zsh') }, async () => {
    const path = await script('zsh');
    const r = spawnSync('zsh', ['-fc', `autoload -U compinit && compinit -u -D -d '${join(dir, 'zcompdump')}' && source '${path}' && print -r -- \${_comps[ctflow]} && whence -w _ctflow_list _ctflow_api_read`], { encoding: 'utf8' });
    assert.deepStrictEqual([r.status, r.stderr, r.stdout], [0, '', '_ctflow\n_ctflow_list: function\n_ctflow_api_read: function\n']);
  });

  it('gives --sort its keys and -f its families', async () => {
    const text = readFileSync(await script('zsh'), 'utf8');
    assert.ok(text.includes(`'--sort[bytes, packets, timeout, src, dst, sport, dport, proto, state, none]:key:(bytes packets pkts timeout src source dst destination sport dport proto protocol state none)'`));
    assert.ok(text.includes(`'(-f --family)'{-f,--family}'[ipv4 or ipv6]:family:(ipv4 ipv6)'`));
  });
});

describe('ctflow completion fish', () => {
  it('loads in fish and completes commands, options and values', { skip: missing('fish') }, async () => {
    const path = await script('fish');
    const r = spawnSync('fish', ['--no-config', '-c', `source '${path}'; and for l in 'ctflow li' 'ctflow list --so' 'ctflow top --sort con' 'ctflow api r'; complete -C $l; end`], { encoding: 'utf8' });
    assert.deepStrictEqual([r.status, r.stderr, r.stdout], [0, '', [
      'list\tlist connections, filtered and sorted',
      '--sort\tbytes, packets, timeout, src, dst, sport, dport, proto, state, none',
      'connections\trate, pps, bytes, packets, connections',
      'conns\trate, pps, bytes, packets, connections',
      'read\tanswer {"action":"protocols"|"conntrack"|"stats", …} from stdin wit...',
      '',
    ].join('\n')]);
  });

  it('says each command\'s options under that command', async () => {
    const text = readFileSync(await script('fish'), 'utf8');
    assert.ok(text.includes(`complete -c ctflow -n "__ctflow_in 'list'" -l sort -x -a 'bytes packets pkts timeout src source dst destination sport dport proto protocol state none' -d 'bytes, packets, timeout, src, dst, sport, dport, proto, state, none'\n`));
    assert.ok(text.includes(`complete -c ctflow -n "__ctflow_in '' 'flows'" -l reverse -d 'reverse the order'\n`));
  });
});

describe('docs/ctflow.1', () => {
  const page = readFileSync(join(ROOT, 'docs', 'ctflow.1'), 'utf8');

  it('is what npm run man writes now, byte for byte', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'man.mjs'), '--stdout'], { encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, page);
  });

  it('documents every option of every command in that command\'s section', async () => {
    for (const command of COMMANDS) {
      const start = page.indexOf(`.SS "ctflow ${command}`);
      assert.ok(start >= 0, command);
      const end = page.indexOf('\n.SS ', start + 1);
      const section = page.slice(start, end < 0 ? undefined : end);
      const help = (await runCli([...command.split(' '), '--help'])).stdout;
      const absent = helpFlags(help).filter((f) => !section.includes(`\\fB${f.replace(/-/g, '\\-')}\\fR`));
      assert.deepStrictEqual(absent, [], command);
    }
  });

  it('renders with man(1), no warnings', { skip: missing('man') ?? (spawnSync('groff', ['--version']).error ? 'needs groff (apt-get install groff-base)' : undefined) }, () => {
    const r = spawnSync('man', ['--warnings', join(ROOT, 'docs', 'ctflow.1')], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat', LC_ALL: 'C.UTF-8' } });
    assert.deepStrictEqual([r.status, r.stderr], [0, '']);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^CTFLOW\(1\) +User Commands +CTFLOW\(1\)$/);
    assert.ok(lines.includes('   ctflow list [OPTIONS]'));
    assert.ok(lines.every((l) => l.length <= 80), 'a line wider than MANWIDTH');
  });
});
