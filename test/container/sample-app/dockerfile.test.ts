import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../helpers/run-script';

// The gate fails (exit 7) on an image Clair v2 cannot read. Clair v2 reads the dpkg database of
// Debian and the apk database of Alpine, and holds data for both: the sample app must stay on one.
const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'container', 'sample-app', 'Dockerfile'), 'utf8');

test("the sample app's image is based on Alpine or Debian, whose package databases Clair v2 reads", () => {
  const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]);
  expect(bases.length).toBeGreaterThan(0);
  // The last stage is the image that ships and is scanned.
  expect(bases[bases.length - 1]).toMatch(
    /^public\.ecr\.aws\/docker\/library\/(alpine|debian):[^@\s]+@sha256:[0-9a-f]{64}$/,
  );
});
