// The colours of every human-facing view, chosen once: on a TTY unless --no-color or NO_COLOR.

import { Chalk, type ChalkInstance } from 'chalk';

export interface Palette {
  enabled: boolean;
  dim: (s: string) => string;
  bold: (s: string) => string;
  header: (s: string) => string;
  proto: (s: string) => string;
  state: (s: string) => string;
  addr: (s: string) => string;
  port: (s: string) => string;
  nat: (s: string) => string;
  good: (s: string) => string;
  warn: (s: string) => string;
  bad: (s: string) => string;
  number: (s: string) => string;
}

const plain = (s: string): string => s;

export function createPalette(enabled: boolean): Palette {
  if (!enabled) {
    return {
      enabled, dim: plain, bold: plain, header: plain, proto: plain, state: plain, addr: plain,
      port: plain, nat: plain, good: plain, warn: plain, bad: plain, number: plain,
    };
  }
  const c: ChalkInstance = new Chalk({ level: 1 });
  return {
    enabled,
    dim: c.dim,
    bold: c.bold,
    header: c.bold.cyan,
    proto: c.magenta,
    state: (s) => (s === 'ESTABLISHED' ? c.green(s) : s.startsWith('SYN') ? c.yellow(s) : c.dim(s)),
    addr: plain,
    port: c.cyan,
    nat: c.yellow,
    good: c.green,
    warn: c.yellow,
    bad: c.red,
    number: plain,
  };
}

/** Colour on a TTY, unless --no-color (commander's `color: false`) or the NO_COLOR convention. */
export function colorEnabled(opts: { color?: boolean }, isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (opts.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY;
}

/** The palette for stdout, as the command's --no-color, NO_COLOR/FORCE_COLOR and the terminal decide. */
export function stdoutPalette(opts: { color?: boolean }): Palette {
  return createPalette(colorEnabled(opts, Boolean(process.stdout.isTTY), process.env));
}
