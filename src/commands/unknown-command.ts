// Words left over after `ctflow [flows]`: flows is the default command, so a mistyped command
// name (`ctflow lst`) reaches it as an argument, and commander would say "too many arguments for
// 'flows'", which names neither the mistake nor the fix. This turns the first left-over word into
// one sentence: an unknown command with the nearest names, a command name written after options,
// or a word `ctflow flows` does not take.

import type { Command } from 'commander';
import { usageError, type CtflowError } from '../errors.js';

/** A command's name and its aliases (`list`, `ls`). */
export interface CommandName {
  name: string;
  aliases: readonly string[];
}

/** Optimal string alignment distance (edits: insert, delete, substitute, swap two neighbours). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The command names `word` was probably meant to be, best first: the nearest names (or aliases)
 * within a third of the word's length (at least one edit), else the names it is a prefix of.
 */
export function similarCommands(word: string, commands: readonly CommandName[]): string[] {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best = Infinity;
  let near: string[] = [];
  for (const c of commands) {
    const distance = Math.min(...[c.name, ...c.aliases].map((n) => editDistance(w, n)));
    if (distance > limit || distance > best) continue;
    if (distance < best) near = [];
    best = distance;
    near.push(c.name);
  }
  if (near.length > 0) return near;
  return w.length < 2 ? [] : commands.filter((c) => [c.name, ...c.aliases].some((n) => n.startsWith(w))).map((c) => c.name);
}

const orList = (names: readonly string[]): string =>
  names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;

/**
 * The usage error for the words the default command was given. `implicit`: the default command
 * ran because no command was named (`ctflow lst`), not as `ctflow flows lst`.
 */
export function leftoverWordsError(
  words: readonly string[], implicit: boolean, self: string, commands: readonly CommandName[],
): CtflowError {
  const word = words[0]!;
  const named = commands.find((c) => c.name === word || c.aliases.includes(word));
  if (named !== undefined) {
    return usageError(`ctflow: "${word}" is a command: name one, first (ctflow ${named.name} [options])`);
  }
  const similar = similarCommands(word, commands);
  const hint = similar.length > 0 ? ` (did you mean ${orList(similar)}?)` : '';
  if (implicit) {
    return similar.length > 0
      ? usageError(`ctflow: unknown command "${word}"${hint}`)
      : usageError(`ctflow: unknown command "${word}", expected one of ${commands.map((c) => c.name).join(', ')} (ctflow --help)`);
  }
  return usageError(`ctflow: ${self} takes no arguments, got "${word}"${similar.length > 0 ? ` (did you mean ctflow ${orList(similar)}?)` : ''}`);
}

/** leftoverWordsError for a parsed command, with the program's commands as the candidates. */
export function leftoverWordsOf(cmd: Command): CtflowError {
  const program = cmd.parent;
  const siblings = program?.commands ?? [cmd];
  const commands = siblings.map((c) => ({ name: c.name(), aliases: c.aliases() }));
  // commander keeps the program's own words in args: the command's name first when it was named
  const first = program?.args[0];
  const implicit = first !== cmd.name() && !cmd.aliases().includes(first ?? '');
  return leftoverWordsError(cmd.args, implicit, cmd.name(), commands);
}
