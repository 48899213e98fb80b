/**
 * A signed Docker schema-1 manifest's digest is the sha256 of its payload, the manifest without its
 * JWS signatures (the distribution registry's Docker-Content-Digest): the signatures' protected
 * header says where the payload ends (`formatLength`) and what closes it (`formatTail`, base64url).
 */

/** The payload of a signed schema-1 manifest, or undefined when the text is not one. */
export function schema1Payload(body: Buffer): Buffer | undefined {
  try {
    const signatures = JSON.parse(body.toString('utf8'))?.signatures;
    const header = JSON.parse(Buffer.from(String(signatures?.[0]?.protected), 'base64url').toString('utf8'));
    const { formatLength, formatTail } = header ?? {};
    if (!Number.isSafeInteger(formatLength) || formatLength < 0 || formatLength > body.length) return undefined;
    if (typeof formatTail !== 'string') return undefined;
    return Buffer.concat([body.subarray(0, formatLength), Buffer.from(formatTail, 'base64url')]);
  } catch {
    return undefined;
  }
}
