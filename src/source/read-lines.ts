// A source's raw lines as text, whatever they contain (watch's event lines, stats' --interval
// samples of a file): no record is made of them.

import { LineSplitter } from './line-splitter.js';
import { openSource, type SourceOptions } from './open-source.js';

/** Raw lines of the source, whatever they contain. Overlong lines arrive as undefined. */
export async function readLines(
  opts: SourceOptions,
  onLine: (line: string | undefined) => void,
): Promise<number> {
  let bytes = 0;
  const splitter = new LineSplitter({ line: onLine, overlong: () => onLine(undefined) });
  for await (const chunk of openSource(opts)) {
    bytes += chunk.length;
    splitter.push(chunk);
  }
  splitter.end();
  return bytes;
}
