import { constants, crc32, createInflateRaw, deflateRawSync } from 'node:zlib';
import { signReportIdentity } from '../../shared/domain/report-signature';
import { buildReportWorkbook } from '../../shared/reports/report-workbook';
import { DEFAULT_XLSX_LIMITS, inspectXlsx } from '../../shared/reports/xlsx-safety';
import { inflateZipEntry, readZipDirectory, ZipEntrySizeError } from '../../shared/reports/zip-directory';

/*
 * Zips are built byte by byte here, so each test controls exactly what the central directory claims.
 */

interface TestEntry {
  name: string;
  /** What the entry holds once inflated (used for crc and sizes unless overridden). */
  content?: Buffer;
  /** Raw deflate bytes to store instead of deflating content. */
  deflated?: Buffer;
  crc?: number;
  uncompressedSize?: number;
  /** Declared in the central directory only, to make it disagree with the local header. */
  declaredUncompressedSize?: number;
  flags?: number;
  /** A different name in the local header than in the central directory. */
  localName?: string;
  /** In the file, but left out of the central directory. */
  unlisted?: boolean;
}

function zip(entries: TestEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const content = entry.content ?? Buffer.alloc(0);
    const data = entry.deflated ?? deflateRawSync(content);
    const crc = entry.crc ?? crc32(content);
    const size = entry.uncompressedSize ?? content.length;
    const name = Buffer.from(entry.name, 'utf8');
    const localName = Buffer.from(entry.localName ?? entry.name, 'utf8');
    const flags = (entry.flags ?? 0) | 0x0800;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localName.length, 26);
    locals.push(local, localName, data);

    offset += local.length + localName.length + data.length;
    if (entry.unlisted) continue;
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(entry.declaredUncompressedSize ?? size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset - local.length - localName.length - data.length, 42);
    centrals.push(central, name);
  }
  const listed = entries.filter((entry) => !entry.unlisted).length;
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(listed, 8);
  end.writeUInt16LE(listed, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const XLSX_CONTENT_TYPES =
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>';
const XLSM_CONTENT_TYPES = XLSX_CONTENT_TYPES.replace(
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
  'application/vnd.ms-excel.sheet.macroEnabled.main+xml',
);

/** The two parts every workbook has, plus whatever a test adds. */
function workbookZip(extra: TestEntry[] = [], contentTypes = XLSX_CONTENT_TYPES): Buffer {
  return zip([
    { name: '[Content_Types].xml', content: Buffer.from(contentTypes) },
    { name: 'xl/workbook.xml', content: Buffer.from('<workbook/>') },
    ...extra,
  ]);
}

const MB = 1024 * 1024;
const BOMB_SIZE = 400 * MB;
const BOMB_CHUNK = 4 * MB;

/**
 * A raw deflate stream that really inflates to 400 MB of zeros, made without 400 MB of input: 4 MB of zeros
 * deflated and sync-flushed (byte-aligned, not final) can follow itself, since its back-references reach only
 * zeros; an empty final block ends the stream.
 */
function zeroBomb(): { deflated: Buffer; crc: number } {
  const zeros = Buffer.alloc(BOMB_CHUNK);
  const piece = deflateRawSync(zeros, { finishFlush: constants.Z_SYNC_FLUSH });
  const deflated = Buffer.concat([...Array<Buffer>(BOMB_SIZE / BOMB_CHUNK).fill(piece), Buffer.from([0x03, 0x00])]);
  let crc = 0;
  for (let i = 0; i < BOMB_SIZE / BOMB_CHUNK; i += 1) crc = crc32(zeros, crc);
  return { deflated, crc };
}

function inflatedLength(deflated: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    let length = 0;
    const inflater = createInflateRaw();
    inflater.on('data', (chunk: Buffer) => (length += chunk.length));
    inflater.on('end', () => resolve(length));
    inflater.on('error', reject);
    inflater.end(deflated);
  });
}

const IDENTITY = { reportId: 'rep_1', organizationId: 'org_1', windowId: '2017-11-01_2017-11-15', version: 1 } as const;

async function realReport(): Promise<Buffer> {
  return buildReportWorkbook({
    identity: IDENTITY,
    signature: signReportIdentity(IDENTITY, Buffer.alloc(32, 1)),
    organizationName: 'Twin Cities Health Navigators',
    window: { start: '2017-11-01', end: '2017-11-15', sendDate: '2017-11-22', dueDate: '2017-11-29' },
    programContact: 'assisterleads@mnsure.org',
    returnInstructions: { replyTo: 'reports@pal.example.org' },
    rows: [
      {
        referralId: 'ref_1',
        referredOn: '2017-11-02',
        consumerName: 'Ana Peña',
        phone: '(612) 555-0142',
        countyName: 'Hennepin',
        assisterType: 'navigator',
        reason: 'Renewal',
      },
    ],
    generatedAt: new Date('2017-11-22T12:00:00Z'),
  });
}

describe('inspectXlsx', () => {
  it('passes a real report', async () => {
    expect(inspectXlsx(await realReport())).toEqual({ ok: true });
  });

  it('refuses a text file as not an .xlsx file', () => {
    const result = inspectXlsx(Buffer.from('Referral ID,Contact Made\nref_1,Y\n'));
    expect(result).toEqual({ ok: false, rule: 'not-xlsx', message: expect.stringContaining('is not an .xlsx file') });
  });

  it('refuses a 6 MB file before looking inside', () => {
    const result = inspectXlsx(Buffer.concat([workbookZip(), Buffer.alloc(6 * MB)]));
    expect(result).toMatchObject({ ok: false, rule: 'too-large' });
    expect(!result.ok && result.message).toContain('6 MB');
  });

  describe('a zip bomb: one entry of 400 MB of zeros in under 1 MB', () => {
    let bomb: { deflated: Buffer; crc: number };
    beforeAll(() => {
      bomb = zeroBomb();
    });

    it('is a real zip whose entry inflates to 400 MB', async () => {
      expect(bomb.deflated.length).toBeLessThan(MB);
      await expect(inflatedLength(bomb.deflated)).resolves.toBe(BOMB_SIZE);
    });

    it('is refused from the declared sizes, without inflating it', () => {
      const file = workbookZip([
        { name: 'xl/worksheets/sheet1.xml', deflated: bomb.deflated, crc: bomb.crc, uncompressedSize: BOMB_SIZE },
      ]);
      const started = performance.now();
      const result = inspectXlsx(file);
      const elapsed = performance.now() - started;
      expect(result).toMatchObject({ ok: false, rule: 'zip-bomb' });
      expect(elapsed).toBeLessThan(100);
    });

    it('passes the declared-size checks when it lies about its size, but cannot be inflated past the lie', async () => {
      const file = workbookZip([
        { name: 'xl/worksheets/sheet1.xml', deflated: bomb.deflated, crc: bomb.crc, uncompressedSize: 2000 },
      ]);
      expect(inspectXlsx(file)).toEqual({ ok: true });
      const entry = readZipDirectory(file).find((e) => e.name === 'xl/worksheets/sheet1.xml')!;
      let inflated = 0;
      const started = performance.now();
      await expect(
        (async () => {
          for await (const chunk of inflateZipEntry(file, entry)) inflated += chunk.length;
        })(),
      ).rejects.toBeInstanceOf(ZipEntrySizeError);
      expect(inflated).toBeLessThanOrEqual(2000);
      // It stops at the declared size instead of inflating 400 MB.
      expect(performance.now() - started).toBeLessThan(1000);
    });
  });

  it('refuses an entry compressed more than 200 times even when the total is small', () => {
    const zeros = Buffer.alloc(20 * MB);
    const result = inspectXlsx(workbookZip([{ name: 'xl/worksheets/sheet1.xml', content: zeros }]));
    expect(result).toMatchObject({ ok: false, rule: 'zip-bomb' });
  });

  it('refuses more entries than a report has', () => {
    const many = Array.from({ length: DEFAULT_XLSX_LIMITS.maxEntries }, (_, i) => ({ name: `xl/media/image${i}.png` }));
    expect(inspectXlsx(workbookZip(many))).toMatchObject({ ok: false, rule: 'too-many-entries' });
  });

  it.each([['../evil'], ['xl/../../evil.xml'], ['/etc/passwd'], ['xl\\worksheets\\sheet1.xml'], ['C:/evil']])(
    'refuses the entry name %j as an unsafe path',
    (name) => {
      expect(inspectXlsx(workbookZip([{ name, content: Buffer.from('x') }]))).toMatchObject({
        ok: false,
        rule: 'unsafe-path',
      });
    },
  );

  it('refuses a workbook with a VBA project', () => {
    const result = inspectXlsx(workbookZip([{ name: 'xl/vbaProject.bin', content: Buffer.from('VBA') }]));
    expect(result).toEqual({
      ok: false,
      rule: 'macros',
      message: expect.stringContaining('macro-enabled files are not accepted'),
    });
  });

  it('refuses a workbook whose main part is declared macro-enabled', () => {
    expect(inspectXlsx(workbookZip([], XLSM_CONTENT_TYPES))).toMatchObject({ ok: false, rule: 'macros' });
  });

  it('refuses links to other workbooks', () => {
    const result = inspectXlsx(
      workbookZip([{ name: 'xl/externalLinks/externalLink1.xml', content: Buffer.from('<externalLink/>') }]),
    );
    expect(result).toMatchObject({ ok: false, rule: 'external-links' });
  });

  it('refuses a zip without the parts of a workbook', () => {
    const docx = zip([
      { name: '[Content_Types].xml', content: Buffer.from(XLSX_CONTENT_TYPES) },
      { name: 'word/document.xml', content: Buffer.from('<document/>') },
    ]);
    expect(inspectXlsx(docx)).toMatchObject({ ok: false, rule: 'not-xlsx' });
  });

  it('refuses encrypted zip entries', () => {
    const result = inspectXlsx(
      workbookZip([{ name: 'xl/worksheets/sheet1.xml', content: Buffer.from('x'), flags: 1 }]),
    );
    expect(result).toMatchObject({ ok: false, rule: 'encrypted' });
  });

  it('refuses a password-protected workbook (a compound file holding EncryptionInfo)', () => {
    const cfb = Buffer.alloc(4096);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(cfb, 0);
    Buffer.from('EncryptionInfo', 'utf16le').copy(cfb, 1024);
    Buffer.from('EncryptedPackage', 'utf16le').copy(cfb, 1152);
    expect(inspectXlsx(cfb)).toEqual({
      ok: false,
      rule: 'encrypted',
      message: expect.stringContaining(
        'password-protected files cannot be read; remove the password and send it again',
      ),
    });
  });

  it('tells an old Excel 97-2003 file apart from a password-protected one', () => {
    const xls = Buffer.alloc(4096);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(xls, 0);
    Buffer.from('Workbook', 'utf16le').copy(xls, 1024);
    expect(inspectXlsx(xls)).toEqual({ ok: false, rule: 'not-xlsx', message: expect.stringContaining('.xls') });
  });

  it('refuses a zip whose local headers name other files than its directory lists', () => {
    const smuggled = workbookZip([
      { name: 'xl/styles.xml', localName: 'xl/vbaProject.bin', content: Buffer.from('VBA') },
    ]);
    expect(inspectXlsx(smuggled)).toMatchObject({ ok: false, rule: 'not-xlsx' });
  });

  it('refuses a zip with an entry its directory does not list, which a streaming parser would still read', () => {
    const file = workbookZip([{ name: 'xl/vbaProject.bin', content: Buffer.from('VBA'), unlisted: true }]);
    expect(inspectXlsx(file)).toMatchObject({ ok: false, rule: 'not-xlsx' });
  });

  it('refuses a truncated file', async () => {
    const report = await realReport();
    expect(inspectXlsx(report.subarray(0, report.length - 100))).toMatchObject({ ok: false, rule: 'not-xlsx' });
  });
});

describe('readZipDirectory and inflateZipEntry', () => {
  it('list the entries of a report and give back exactly what each holds', async () => {
    const report = await realReport();
    const entries = readZipDirectory(report);
    expect(entries.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['[Content_Types].xml', 'xl/workbook.xml', 'xl/worksheets/sheet2.xml']),
    );
    const workbook = entries.find((entry) => entry.name === 'xl/workbook.xml')!;
    const chunks: Buffer[] = [];
    for await (const chunk of inflateZipEntry(report, workbook)) chunks.push(chunk);
    const xml = Buffer.concat(chunks).toString('utf8');
    expect(xml).toHaveLength(workbook.uncompressedSize);
    expect(xml).toContain('<sheet sheetId="2" name="Referrals"');
  });

  it('refuses a stored entry whose sizes disagree', async () => {
    const file = workbookZip();
    const entry = { ...readZipDirectory(file)[1]!, method: 0, uncompressedSize: 1 };
    await expect(inflateZipEntry(file, entry).next()).rejects.toBeInstanceOf(ZipEntrySizeError);
  });
});
