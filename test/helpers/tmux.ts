// The real CLI on a real terminal: a private tmux server (its own -L socket, so the user's
// sessions are never touched) runs `node dist/cli.js …` in a shell that prints `EXIT=<code>`
// when ctflow ends (and, when asked, the terminal modes it left behind); tests read the screen
// (capture-pane) and type (send-keys).

import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './cli.js';
import { waitFor } from './live.js';
import { logRun } from './flag-log.js';

/** Why tmux tests cannot run here, or undefined when they can. */
export function tmuxMissing(): string | undefined {
  return spawnSync('tmux', ['-V']).error ? 'needs tmux (apt-get install tmux)' : undefined;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class Tmux {
  readonly socket = `ctflow-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  /** `dir` holds the shell script (the test removes it afterwards). */
  constructor(private readonly dir: string) {}

  run(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /**
   * Runs ctflow with `args` in a `width`x`height` terminal (120x30 unless told); afterwards the
   * shell prints EXIT=<code> and waits.
   * With `ttyModes` it also prints `MODES:<icanon and echo as stty has them>`, so a full-screen
   * command can be checked for restoring the terminal (`MODES:icanon echo` = restored). With
   * `stderr`, ctflow's stderr goes to that file (stdout stays the terminal).
   */
  start(args: string[], { ttyModes = false, width = 120, height = 30, stderr }: { ttyModes?: boolean; width?: number; height?: number; stderr?: string } = {}): void {
    logRun(args, null);
    const script = join(this.dir, `${this.socket}.sh`);
    writeFileSync(script, [
      'export NO_COLOR=1 TZ=UTC LC_ALL=C',
      `${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')}${stderr === undefined ? '' : ` 2>${quote(stderr)}`}`,
      'echo "EXIT=$?"',
      ...(ttyModes ? ['echo "MODES:$(stty -a | tr ";" "\\n" | tr " " "\\n" | grep -E -x -- "-?(icanon|echo)" | tr "\\n" " ")"'] : []),
      'sleep 60',
      '',
    ].join('\n'));
    this.run('new-session', '-d', '-s', 'ctflow', '-x', String(width), '-y', String(height), `sh ${script}`);
  }

  /** The visible lines, trailing blank lines dropped. */
  screen(): string {
    return this.run('capture-pane', '-p', '-t', 'ctflow').replace(/\n+$/, '\n');
  }

  /** Everything printed, the lines scrolled off the top included (-S -: from the history's start). */
  history(): string {
    return this.run('capture-pane', '-p', '-J', '-S', '-', '-t', 'ctflow').replace(/\n+$/, '\n');
  }

  keys(...keys: string[]): void {
    this.run('send-keys', '-t', 'ctflow', ...keys);
  }

  /** Polls the screen until `test` holds; on giving up, the error shows the last screen. */
  async waitScreen(what: string, test: (s: string) => boolean): Promise<string> {
    try {
      return await waitFor(what, () => {
        const s = this.screen();
        return test(s) ? s : undefined;
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}; the screen was:\n${this.screen()}`);
    }
  }

  /** Ends the private server and removes its socket file (kill-server leaves it behind). */
  close(): void {
    const path = spawnSync('tmux', ['-L', this.socket, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    if (path.endsWith(this.socket)) rmSync(path, { force: true });
  }
}
