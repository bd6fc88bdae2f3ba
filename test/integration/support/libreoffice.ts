import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** LibreOffice from Debian's packages (.ci/run installs libreoffice-calc-nogui). */
export const SOFFICE = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => existsSync(p));

/** Opens an .xlsx in LibreOffice Calc, headless, and saves it again as .xlsx, as an organization's staff might. */
export function resaveWithLibreOffice(xlsx: Buffer): Buffer {
  if (!SOFFICE) throw new Error('LibreOffice is not installed (apt-get install libreoffice-calc-nogui)');
  const dir = mkdtempSync(join(tmpdir(), 'pal-lo-'));
  try {
    const input = join(dir, 'in', 'report.xlsx');
    execFileSync('mkdir', ['-p', join(dir, 'in'), join(dir, 'out')]);
    writeFileSync(input, xlsx);
    execFileSync(
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
      { stdio: 'pipe', timeout: 120_000 },
    );
    return readFileSync(join(dir, 'out', 'report.xlsx'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
