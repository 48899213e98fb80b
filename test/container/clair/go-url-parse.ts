/**
 * The checks Go's `net/url.Parse` applies to a URL without an authority ("//host") part, which
 * is what Clair v2 runs on its database source before connecting: returns Go's error message, or
 * undefined when Parse accepts the string. Throws for input with an authority, which it does not
 * model. Mirrors `parse` and `setFragment` in Go's net/url/url.go.
 */
export function goUrlParseError(raw: string): string | undefined {
  const hash = raw.indexOf('#');
  let rest = hash < 0 ? raw : raw.slice(0, hash);
  const fragment = hash < 0 ? '' : raw.slice(hash + 1);

  // eslint-disable-next-line no-control-regex -- Go rejects exactly these bytes in a URL.
  if (/[\x00-\x1f\x7f]/.test(rest)) return 'net/url: invalid control character in URL';
  if (rest.startsWith(':')) return 'missing protocol scheme';
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);

  const query = rest.indexOf('?');
  if (query >= 0) rest = rest.slice(0, query);

  if (!rest.startsWith('/')) {
    if (scheme) return fragmentError(fragment); // opaque, like mailto:x
    if (rest.split('/')[0].includes(':')) return 'first path segment in URL cannot contain colon';
  } else if (rest.startsWith('//') && (scheme || !rest.startsWith('///'))) {
    throw new Error(`goUrlParseError does not model URLs with an authority: ${raw}`);
  }
  return hasBadEscape(rest) ? 'invalid URL escape' : fragmentError(fragment);
}

function fragmentError(fragment: string): string | undefined {
  return hasBadEscape(fragment) ? 'invalid URL escape' : undefined;
}

function hasBadEscape(s: string): boolean {
  return /%(?![0-9A-Fa-f]{2})/.test(s);
}
