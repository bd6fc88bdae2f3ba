import type { ReportIdentity } from '../../shared/domain/report-sheet';
import { signReportIdentity } from '../../shared/domain/report-signature';
import { zipEntryOf, zipOfEntries } from './zip-bytes';

/*
 * Hostile returned sheets, generated: what anyone holding an upload link or the inbound address can send. Each case
 * grows with n, so a test can read it at two sizes and compare the times (the property: twice the input, at most
 * about twice the time). Text is a 1 KB pseudo-random block repeated: deflate packs it about 90 to 1, under the
 * 200 to 1 that inspectXlsx calls a zip bomb, so these files reach the parsers, as an attacker's would.
 */

export const HOSTILE_SECRET = Buffer.alloc(32, 7);
export const HOSTILE_IDENTITY: ReportIdentity = {
  reportId: '2017-11-01_2017-11-15.org-hostile',
  organizationId: 'org-hostile',
  windowId: '2017-11-01_2017-11-15',
  version: 1,
};

export interface ZipPart {
  readonly name: string;
  readonly content: string | Buffer;
}

/** A zip of the given parts, deflated, whatever their names (duplicates included). */
export function zipOf(parts: readonly ZipPart[]): Buffer {
  return zipOfEntries(
    parts.map((p) => zipEntryOf(p.name, Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content, 'utf8'))),
  );
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const HEADERS = ['Referral ID', 'Contact Made (Y/N)', 'Contact Date', 'Resolution', 'Comments'];

export const inlineCell = (ref: string, value: string): string =>
  `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
export const HEADER_ROW = `<row r="1">${HEADERS.map((h, i) => inlineCell(`${'ABCDE'[i]}1`, h)).join('')}</row>`;

/** A signed (or, with `signed: false`, unsigned) workbook around the given Referrals sheet data. */
export function workbookFile(options: {
  sheetData?: string;
  /** The whole sheet part, instead of one built around sheetData. */
  sheetXml?: string;
  workbookExtra?: string;
  sharedStrings?: string;
  signed?: boolean;
  /** The key the identity is signed with (HOSTILE_SECRET unless given). */
  secret?: Buffer;
  extraParts?: readonly ZipPart[];
}): Buffer {
  const signature =
    options.signed === false ? 'unsigned' : signReportIdentity(HOSTILE_IDENTITY, options.secret ?? HOSTILE_SECRET);
  const names = [
    ['PAL_REPORT_ID', HOSTILE_IDENTITY.reportId],
    ['PAL_ORGANIZATION_ID', HOSTILE_IDENTITY.organizationId],
    ['PAL_WINDOW_ID', HOSTILE_IDENTITY.windowId],
    ['PAL_SIGNATURE', signature],
  ];
  const parts: ZipPart[] = [
    {
      name: '[Content_Types].xml',
      content:
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '</Types>',
    },
    {
      name: '_rels/.rels',
      content: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PACKAGE_RELS}"><Relationship Id="rId1" Type="${RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      content: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PACKAGE_RELS}"><Relationship Id="rId1" Type="${RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      content:
        `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${RELS}">${options.workbookExtra ?? ''}` +
        '<sheets><sheet name="Referrals" sheetId="1" r:id="rId1"/></sheets><definedNames>' +
        names.map(([name, value]) => `<definedName name="${name}">"${value}"</definedName>`).join('') +
        '</definedNames></workbook>',
    },
    {
      name: 'xl/worksheets/sheet1.xml',
      content:
        options.sheetXml ??
        `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>${HEADER_ROW}${options.sheetData ?? ''}</sheetData></worksheet>`,
    },
    ...(options.sharedStrings === undefined ? [] : [{ name: 'xl/sharedStrings.xml', content: options.sharedStrings }]),
    ...(options.extraParts ?? []),
  ];
  return zipOf(parts);
}

/** n characters of text deflate packs about 90 to 1 (letters and digits only, so it needs no escaping). */
export function packedText(n: number): string {
  let state = 0x2545f491;
  let block = '';
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';
  for (let i = 0; i < 1024; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    block += alphabet[state % alphabet.length];
  }
  return block.repeat(Math.ceil(n / block.length)).slice(0, n);
}

/** Eight characters that differ from one i to the next: repeated markup stays under the zip-bomb ratio. */
function noise(i: number): string {
  noiseBlock ??= packedText(1024);
  return noiseBlock.slice((i * 37) % 1016, ((i * 37) % 1016) + 8);
}
let noiseBlock: string | undefined;

/** n characters of markup made of unit(i) for i = 0, 1, 2, … */
function repeated(n: number, unit: (i: number) => string): string {
  const pieces: string[] = [];
  let length = 0;
  for (let i = 0; length < n; i++) {
    const piece = unit(i);
    pieces.push(piece);
    length += piece.length;
  }
  return pieces.join('');
}

export interface HostileCase {
  readonly name: string;
  /** Sizes (in the case's own unit) at which doubling shows whether the reader is linear, and stays under 5 MB. */
  readonly n: number;
  readonly make: (n: number) => Buffer;
}

const row2 = (cells: string): string => `<row r="2">${inlineCell('A2', 'ref_001')}${cells}</row>`;

/** The adversarial corpus: each case's file grows with n. */
export const HOSTILE_CASES: readonly HostileCase[] = [
  {
    name: 'one huge inline-string cell',
    n: 2 * 1024 * 1024,
    make: (n) => workbookFile({ sheetData: row2(inlineCell('E2', packedText(n))) }),
  },
  {
    name: 'one huge t="str" cell',
    n: 2 * 1024 * 1024,
    make: (n) => workbookFile({ sheetData: row2(`<c r="E2" t="str"><v>${packedText(n)}</v></c>`) }),
  },
  {
    name: 'one huge t="d" date cell',
    n: 2 * 1024 * 1024,
    make: (n) => workbookFile({ sheetData: row2(`<c r="C2" t="d"><v>2017-11-24${packedText(n)}</v></c>`) }),
  },
  {
    name: 'one huge shared string',
    n: 2 * 1024 * 1024,
    make: (n) =>
      workbookFile({
        sheetData: row2('<c r="E2" t="s"><v>0</v></c>'),
        sharedStrings: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}" count="1" uniqueCount="1"><si><t>${packedText(n)}</t></si></sst>`,
      }),
  },
  {
    name: 'a cell of entities (&amp; and &#x41;)',
    n: 1024 * 1024,
    make: (n) =>
      workbookFile({
        sheetData: row2(
          inlineCell(
            'E2',
            repeated(n, (i) => `&amp;${noise(i)}&#x41;`),
          ),
        ),
      }),
  },
  {
    name: 'unclosed tags in workbook.xml',
    n: 128 * 1024,
    make: (n) => workbookFile({ workbookExtra: repeated(n, (i) => `<sheet name="${noise(i)}">`) }),
  },
  {
    name: 'an attribute name with no value in workbook.xml',
    n: 32 * 1024,
    make: (n) => workbookFile({ workbookExtra: `<workbookPr ${packedText(n).replace(/ /g, 'x')}/>` }),
  },
  {
    name: 'unclosed cells in the sheet',
    n: 64 * 1024,
    make: (n) =>
      workbookFile({ sheetData: `<row r="2">${repeated(n, (i) => `<c r="E2" t="inlineStr"><is><t>${noise(i)}`)}` }),
  },
  {
    name: 'deep nesting in the sheet',
    n: 512 * 1024,
    make: (n) => workbookFile({ sheetData: `<row r="2">${repeated(n, (i) => `<x${noise(i).replace(/ /g, 'y')}>`)}` }),
  },
  {
    name: 'many rows',
    n: 200_000,
    make: (n) => {
      let rows = '';
      for (let i = 2; i < n + 2; i++) rows += `<row r="${i}"/>`;
      return workbookFile({ sheetData: rows });
    },
  },
  {
    name: 'many rows of rich text and entities, under the row cap',
    n: 4000,
    make: (n) => {
      const rows: string[] = [];
      for (let i = 2; i < n + 2; i++) {
        const rich = `<c r="D${i}" t="inlineStr"><is><r><t>Enrolled </t></r><r><t>in ${noise(i)}</t></r></is></c>`;
        rows.push(
          `<row r="${i}">${inlineCell(`A${i}`, `ref_${i}`)}${rich}${inlineCell(`E${i}`, `R&amp;D ${noise(i)}`)}</row>`,
        );
      }
      return workbookFile({ sheetData: rows.join('') });
    },
  },
  {
    name: "a header cell of ' (' repeated, under the cell cap",
    n: 8 * 1024,
    make: (n) =>
      workbookFile({
        sheetXml: `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData><row r="1">${inlineCell('A1', ' ('.repeat(n))}</row>${HEADER_ROW.replace('r="1"', 'r="2"').replace(/([A-E])1"/g, '$12"')}</sheetData></worksheet>`,
      }),
  },
  {
    name: 'many columns in one row',
    n: 100_000,
    make: (n) => workbookFile({ sheetData: row2(repeated(n * 16, (i) => `<c><v>${i}</v></c>`)) }),
  },
  {
    name: 'duplicate zip entries',
    n: 256,
    make: (n) =>
      workbookFile({
        extraParts: Array.from({ length: n }, () => ({
          name: 'xl/worksheets/sheet1.xml',
          content: `<worksheet xmlns="${MAIN}"><sheetData>${HEADER_ROW}${row2(inlineCell('E2', packedText(4096)))}</sheetData></worksheet>`,
        })),
      }),
  },
];
