// A registry token server for the tests (Docker's token authentication, distribution/docs/spec/auth):
// GET /token?service=...&scope=repository:<name>:pull with Basic credentials answers
// {"token": <JWT>} granting pull; wrong credentials get 401. Tokens are ES256 JWTs carrying the
// signing certificate (x5c), which the registry trusts through its rootcertbundle.
// Plain JavaScript so that scripts/with-registry.sh starts it in a few milliseconds.
//
// Usage: node token-server.js PORT KEY.pem CERT.pem ISSUER USER PASSWORD
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');

const [port, keyFile, certFile, issuer, user, password] = process.argv.slice(2);
const key = crypto.createPrivateKey(fs.readFileSync(keyFile));
const certDer = new crypto.X509Certificate(fs.readFileSync(certFile)).raw.toString('base64');
const b64url = (value) => Buffer.from(value).toString('base64url');

function token(service, access) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [certDer] }));
  const claims = { iss: issuer, sub: user, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: crypto.randomUUID(), access };
  const body = `${header}.${b64url(JSON.stringify(claims))}`;
  const signature = crypto.sign('sha256', Buffer.from(body), { key, dsaEncoding: 'ieee-p1363' });
  return `${body}.${b64url(signature)}`;
}

http
  .createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    if (url.pathname !== '/token' || req.headers.authorization !== expected) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const access = url.searchParams
      .getAll('scope')
      .map((scope) => /^repository:([^:]+):(.+)$/.exec(scope))
      .filter(Boolean)
      .map(([, name, actions]) => ({ type: 'repository', name, actions: actions.split(',').filter((a) => a === 'pull') }));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token: token(url.searchParams.get('service'), access) }));
  })
  .listen(Number(port), '127.0.0.1');
