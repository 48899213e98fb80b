import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Everything a slow check reads, by name: whole directories (every file in them, by relative path
 * and content, so an added, removed or renamed file counts), single files (by content, or as
 * absent, so creating one counts: a configuration file the tools would read) and tool versions.
 * Names, not paths, enter the key, so the same inputs give the same key in any checkout.
 */
export interface CheckInputs {
  readonly directories: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, string>>;
  readonly versions: Readonly<Record<string, string>>;
  /** Files of the directories that are not inputs, by their path relative to their directory. */
  readonly notInputs?: RegExp;
}

/** The SHA-256 of every input: any changed byte, file name or version gives another key. */
export function inputsKey(inputs: CheckInputs): string {
  const hash = createHash('sha256');
  // Each part is framed by its kind, name and length, so no two different inputs hash alike.
  const add = (kind: string, name: string, content: Buffer | string) => {
    hash.update(`${kind}\0${name}\0${Buffer.byteLength(content)}\0`).update(content);
  };
  for (const [name, dir] of sortedEntries(inputs.directories)) {
    for (const file of filesUnder(dir)) {
      if (!inputs.notInputs?.test(file)) add('directory', `${name}/${file}`, fs.readFileSync(path.join(dir, file)));
    }
  }
  for (const [name, file] of sortedEntries(inputs.files)) {
    if (fs.existsSync(file)) add('file', name, fs.readFileSync(file));
    else add('absent file', name, '');
  }
  for (const [name, version] of sortedEntries(inputs.versions)) add('version', name, version);
  return hash.digest('hex');
}

/**
 * The outputs kept under `key` in `cache`, or, when there are none, what `produce` gives; those are
 * kept only if `keep` accepts them (a failure is never kept, so it is always the current one).
 * Outputs must be JSON. Written under a temporary name and renamed, so a reader never sees half.
 */
export function cachedOutputs<T>(cache: string, key: string, produce: () => T, keep: (outputs: T) => boolean): T {
  const entry = path.join(cache, `${key}.json`);
  if (fs.existsSync(entry)) return JSON.parse(fs.readFileSync(entry, 'utf8'));
  const outputs = produce();
  if (keep(outputs)) {
    fs.mkdirSync(cache, { recursive: true });
    const partial = `${entry}.${process.pid}`;
    fs.writeFileSync(partial, JSON.stringify(outputs));
    fs.renameSync(partial, entry);
  }
  return outputs;
}

function sortedEntries(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.keys(record)
    .sort()
    .map((name) => [name, record[name]]);
}

/** Every file under `dir` (symbolic links followed), as sorted relative paths. */
function filesUnder(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const relative = path.join(prefix, name);
      return fs.statSync(path.join(dir, relative)).isDirectory() ? filesUnder(dir, relative) : [relative];
    });
}
