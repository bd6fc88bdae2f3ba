import { execFile } from 'node:child_process';
import { mkdirSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** LibreOffice from Debian's packages (.ci/run installs libreoffice-calc-nogui). */
export const SOFFICE = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => existsSync(p));

/**
 * Opens an .xlsx in LibreOffice Calc, headless, and saves it again as .xlsx, as an organization's staff might.
 * Asynchronous on purpose: the local stack runs in the test's process, and a conversion that blocked
 * the event loop for many seconds (a loaded machine) kept its servers from closing idle keep-alive
 * sockets in time, so the next request met a reset (`fetch failed … ECONNRESET`).
 */
export async function resaveWithLibreOffice(xlsx: Buffer): Promise<Buffer> {
  if (!SOFFICE) throw new Error('LibreOffice is not installed (apt-get install libreoffice-calc-nogui)');
  const dir = mkdtempSync(join(tmpdir(), 'pal-lo-'));
  try {
    const input = join(dir, 'in', 'report.xlsx');
    mkdirSync(join(dir, 'in'));
    mkdirSync(join(dir, 'out'));
    writeFileSync(input, xlsx);
    await run(
      SOFFICE,
      [
        `-env:UserInstallation=file://${join(dir, 'profile')}`,
        '--headless',
        '--norestore',
        '--convert-to',
        'xlsx:Calc MS Excel 2007 XML',
        '--outdir',
        join(dir, 'out'),
        input,
      ],
      { timeout: 120_000 },
    );
    return readFileSync(join(dir, 'out', 'report.xlsx'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
