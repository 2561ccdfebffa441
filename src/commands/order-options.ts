// The flags that order and cut rows, one vocabulary for list, flows and top: --sort KEY (any
// case; -KEY reverses; a key also answers to its other names and to its column's heading, so
// `conns` and `connections`, `pkts` and `packets` mean the same everywhere), --reverse, and
// --limit N where 0 means all, as in every command that has it.

import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { parseCount } from '../filter/option-values.js';
import { offerValues } from './cli-model.js';
import { inGroup, SELECTION } from './help-groups.js';

/** Every sort key's names: the first is the one --help shows, the rest are accepted too. */
const SORT_NAMES: readonly (readonly string[])[] = [
  ['bytes'],
  ['packets', 'pkts'],
  ['connections', 'conns'],
  ['rate', 'bytes/s'],
  ['pps', 'pkts/s', 'packets/s'],
  ['timeout'],
  ['peer'],
  ['port'],
  ['src', 'source'],
  ['dst', 'destination'],
  ['sport'],
  ['dport'],
  ['proto', 'protocol'],
  ['state'],
];

const namesOf = (key: string): readonly string[] => SORT_NAMES.find((names) => names.includes(key)) ?? [key];

/** A command's keys as --help and the errors name them (`conns` shows as `connections`). */
export function sortKeyNames(keys: readonly string[]): string[] {
  return keys.map((k) => namesOf(k)[0]!);
}

/** Every word --sort accepts for these keys (completion offers them all). */
export function sortWords(keys: readonly string[]): string[] {
  return keys.flatMap((k) => namesOf(k));
}

export interface SortChoice<K extends string> {
  key: K;
  /** the text began with '-' */
  reverse: boolean;
}

/** --sort's text as one of the command's `keys` (by any of its names), and whether -KEY reversed it. */
export function parseSort<K extends string>(text: string, keys: readonly K[]): SortChoice<K> {
  const trimmed = text.trim();
  const reverse = trimmed.startsWith('-');
  const word = (reverse ? trimmed.slice(1) : trimmed).toLowerCase();
  const key = keys.find((k) => namesOf(k).includes(word));
  if (key === undefined) {
    throw usageError(`ctflow: --sort: expected one of ${sortKeyNames(keys).join(', ')} (prefix - to reverse), got ${JSON.stringify(text)}`);
  }
  return { key, reverse };
}

export interface OrderHelp {
  /** the command's sort keys, in --help order */
  keys: readonly string[];
  /** the order without --sort */
  sortDefault: string;
  /** what a row is ("flows", "connections", "rows per frame") */
  rows: string;
  /** how many rows without --limit */
  limitDefault: string;
}

/** --sort, --reverse and --limit, spelled and explained the same on every command. */
export function addOrderOptions(cmd: Command, o: OrderHelp): Command {
  inGroup(cmd, SELECTION, (c) => c
    .option('--sort <key>', `${sortKeyNames(o.keys).join(', ')}; -KEY reverses (default ${o.sortDefault})`)
    .option('--reverse', 'reverse the order')
    .option('--limit <n>', `show at most N ${o.rows}; 0 = all (default ${o.limitDefault})`));
  return offerValues(cmd, '--sort', sortWords(o.keys));
}

/** --limit N: undefined when not given, Infinity for 0 (all rows). */
export function limitFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = parseCount(text, '--limit');
  return n === 0 ? Infinity : n;
}
