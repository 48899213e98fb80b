/**
 * Parses a libpq key=value connection string the way libpq and lib/pq do: pairs separated by
 * whitespace; a value is either bare (up to the next whitespace) or single-quoted; a backslash
 * escapes the next character in both. Throws on anything libpq would reject.
 */
export function parseConninfo(conninfo: string): Record<string, string> {
  const result: Record<string, string> = {};
  let i = 0;
  const skipSpace = () => {
    while (i < conninfo.length && /\s/.test(conninfo[i])) i++;
  };
  for (skipSpace(); i < conninfo.length; skipSpace()) {
    const keyMatch = /^[A-Za-z_]+\s*=\s*/.exec(conninfo.slice(i));
    if (!keyMatch) throw new Error(`no key=value at offset ${i} of ${conninfo}`);
    const key = keyMatch[0].replace(/\s*=\s*$/, '');
    i += keyMatch[0].length;
    const quoted = conninfo[i] === "'";
    if (quoted) i++;
    let value = '';
    for (;;) {
      if (i >= conninfo.length) {
        if (quoted) throw new Error(`unterminated quoted value for ${key}`);
        break;
      }
      const c = conninfo[i];
      if (c === '\\') {
        value += conninfo[i + 1] ?? '';
        i += 2;
      } else if (quoted && c === "'") {
        i++;
        break;
      } else if (!quoted && /\s/.test(c)) {
        break;
      } else {
        value += c;
        i++;
      }
    }
    result[key] = value;
  }
  return result;
}
