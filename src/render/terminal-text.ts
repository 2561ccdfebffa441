// Text read from a table (a helper's name, labels, the name of the program that changed an
// entry, a peer's reverse-DNS name) as a terminal may be shown it. A control character would be
// obeyed, not shown: ESC starts a sequence that recolours, moves the cursor, retitles the window
// or, on some terminals, answers back; BEL rings, and C1 controls (U+0080–U+009F) act like ESC
// sequences on terminals that honour them. So each is written `\xNN` (ESC as `\x1b`), and a
// backslash as `\\`, so that text which already spells `\x1b` cannot pass for an escape made
// here. JSON output does not come here: JSON.stringify escapes what JSON escapes.

const HEX = '0123456789abcdef';

function needsEscape(c: number): boolean {
  return c < 32 || (c >= 127 && c <= 159) || c === 92;
}

/** `s` with its control characters as `\xNN` and its backslashes doubled (`s` itself when it has neither). */
export function terminalText(s: string): string {
  let i = 0;
  while (i < s.length && !needsEscape(s.charCodeAt(i))) i++;
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) out += '\\\\';
    else if (needsEscape(c)) out += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
    else out += s[i];
  }
  return out;
}
