// commander's own usage errors in ctflow's shape: one line, `ctflow: <what>`. commander puts its
// suggestion on a second line ("(Did you mean --sort?)"); a user reading one line, or a script
// reading the first, must get the suggestion with the mistake.

export function oneLineError(text: string): string {
  const body = text
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')
    .trim()
    .replace(/\s*\n\s*/g, ' ');
  return `ctflow: ${body}\n`;
}
