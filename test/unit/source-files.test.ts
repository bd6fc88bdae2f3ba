import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/* Files small, one reason to change each: no source file over 450 lines. */

const ROOT = resolve(__dirname, '../..');
const SOURCE_FOLDERS = ['functions', 'shared', 'infra', 'scripts', 'events'];
const MAX_LINES = 450;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

it(`no source file has more than ${MAX_LINES} lines`, () => {
  const files = SOURCE_FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder)));
  expect(files.length).toBeGreaterThan(100);
  const long = files
    .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > MAX_LINES);
  expect(long).toEqual([]);
});
