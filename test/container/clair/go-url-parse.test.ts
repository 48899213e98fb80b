import { goUrlParseError } from './go-url-parse';

// Every case was checked against Go's own url.Parse: they keep honest the emulation that the
// entrypoint tests use to prove Clair accepts the rendered connection string.
test.each([
  ['password=a:b', 'first path segment in URL cannot contain colon'],
  ["host='h:1' sslrootcert='/a'", 'first path segment in URL cannot contain colon'],
  ['host=a%4', 'invalid URL escape'],
  ['host=a b#%zz', 'invalid URL escape'],
  ['host=a\nb', 'net/url: invalid control character in URL'],
  [':x', 'missing protocol scheme'],
])("rejects %j as Go's url.Parse does", (raw, error) => {
  expect(goUrlParseError(raw)).toBe(error);
});

test.each([
  "sslrootcert='/a' host='h:1'",
  'host=a%41',
  'host=x?%zz',
  'a b',
  'mailto:%zz',
  "sslrootcert='/etc/ssl/rds/global-bundle.pem' user='u:%41#?@'",
])("accepts %j as Go's url.Parse does", (raw) => {
  expect(goUrlParseError(raw)).toBeUndefined();
});
