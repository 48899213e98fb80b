/**
 * Text that reaches a reader (the build log, summary.txt, junit.xml) comes partly from hostile
 * sources: IMAGE_URI, the registry's and Clair's answers, klar's error lines. Two rules apply to all
 * of it (reference/hostile-inputs.md, D8 and D16): known credentials are replaced by a marker,
 * and control characters are shown escaped, so that no line can overwrite another in a terminal.
 */

/** What replaces a credential in any text the gate prints or writes. */
export const REDACTED = '[redacted]';

/** Credentials shorter than this are not searched for: they would redact ordinary text. */
const MIN_SECRET_LENGTH = 4;

const secrets = new Set<string>();

/**
 * Registers a credential: from now on it is redacted from every text the gate shows, raw and in
 * the forms registries and HTTP libraries print it (Basic base64 of `user:secret`, percent-encoded).
 */
export function addSecret(secret: string | undefined, user?: string): void {
  if (!secret || secret.length < MIN_SECRET_LENGTH) return;
  secrets.add(secret);
  secrets.add(encodeURIComponent(secret));
  if (user !== undefined) secrets.add(Buffer.from(`${user}:${secret}`).toString('base64'));
}

/** Forgets every registered credential (tests only). */
export function clearSecrets(): void {
  secrets.clear();
}

/** `text` with every registered credential replaced by {@link REDACTED}, longest first. */
export function redact(text: string): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(REDACTED);
  }
  return out;
}

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with C0 and C1 control characters and DEL shown as escapes (`\n`, `\r`, `\t`, `\x1b`,
 * `\u009b`) and the line and paragraph separators too: safe on one line of a log.
 */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (NAMED[c]) return NAMED[c];
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A value from outside, made safe for one line of output: redacted, then escaped. */
export function safe(value: unknown): string {
  return escapeControls(redact(String(value)));
}

/** Text cut to `max` characters, saying how much was left out. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
