import { readHeaderBlock } from '../../shared/domain/mail-headers';
import { parseProvenMail } from '../../shared/use-cases/unpack-inbound-mail';
import { cpuSeconds } from '../support/cpu-time';

/*
 * A proven sender's email costs time linear in its size, whatever its MIME shape: for each
 * adversarial family, a message of size n and one of size 2n are read (header block, shape check,
 * mailparser) in this run, and the larger may take at most about twice as long. The ratio is
 * asserted (in CPU time), never a time. Without the shape check, mailparser took 2.8 s on a 0.2 MB folded header
 * and 15 s on 0.4 MB (ratio 5.4), and never finished on a thousand small attachments.
 */

const HEAD =
  'From: leads@navigators.example.org\r\nTo: pal-returns@inbound.mnsure.example.org\r\nSubject: RE: PAL report\r\n' +
  'MIME-Version: 1.0\r\n';
const multipart = (parts: string) => `${HEAD}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`;
const attachment = (bytes: number, extra = '') =>
  `--b\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n${extra}` +
  'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="PAL report.xlsx"\r\n\r\n' +
  `${Buffer.alloc(bytes, 7).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`;

/** Each family: a message of about `n` units of its hostile feature. */
const FAMILIES: Record<string, (n: number) => string> = {
  'very many parts': (n) => multipart('--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(n)),
  'very many small attachments': (n) => multipart(attachment(1000).repeat(n)),
  'a very long header line in a part': (n) => multipart(attachment(10, `X-Long: ${'a'.repeat(n)}\r\n`)),
  'a header folded into very many short lines': (n) =>
    multipart(attachment(10, `X-Folded: a${'\r\n a'.repeat(n)}\r\n`)),
  'many folded fields, each under the cap, in the top header block': (n) =>
    `${HEAD}${`X-Folded: a${'\r\n a'.repeat(1000)}\r\n`.repeat(n)}\r\nbody\r\n`,
  'a top header block that never ends': (n) => `${HEAD}${'X-Filler: aaaaaaaaaaaaaaaa\r\n'.repeat(n)}`,
  'deep multipart nesting': (n) => {
    let open = HEAD;
    let close = '';
    for (let i = 0; i < n; i++) {
      open += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
      close = `--b${i}--\r\n${close}`;
    }
    return `${open}Content-Type: text/plain\r\n\r\nx\r\n${close}`;
  },
  'one large genuine attachment': (n) => multipart(attachment(n * 100)),
};
/** Sizes (units of each family's feature) picked so that n takes tens of milliseconds here. */
const BASE: Record<keyof typeof FAMILIES, number> = {
  'very many parts': 20_000,
  'very many small attachments': 1_000,
  'a very long header line in a part': 1_000_000,
  'a header folded into very many short lines': 100_000,
  'many folded fields, each under the cap, in the top header block': 15,
  'a top header block that never ends': 100_000,
  'deep multipart nesting': 5_000,
  'one large genuine attachment': 5_000,
};

async function read(raw: Buffer): Promise<string> {
  const block = readHeaderBlock(raw);
  if (!block.ok) return block.rule;
  const mail = await parseProvenMail(raw, block.fields, block.bodyOffset);
  return mail.ok ? `parsed ${mail.attachments.length}` : mail.rule;
}

/** Nanoseconds of CPU time for `rounds` reads of one message. */
async function timed(raw: Buffer, rounds: number): Promise<number> {
  return (
    (await cpuSeconds(async () => {
      for (let i = 0; i < rounds; i++) await read(raw);
    })) * 1e9
  );
}

/**
 * The fastest of several interleaved trials of each size: the least disturbed by the other work
 * on this shared machine, and a disturbance falls on both sizes alike.
 */
async function ratioOf(small: Buffer, large: Buffer): Promise<number> {
  // Enough rounds that one trial is well above timer noise (calibrated on the small input).
  const rounds = Math.min(5000, Math.max(1, Math.ceil(20e6 / Math.max(await timed(small, 1), 1))));
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let trial = 0; trial < 9; trial++) {
    bestSmall = Math.min(bestSmall, await timed(small, rounds));
    bestLarge = Math.min(bestLarge, await timed(large, rounds));
  }
  return bestLarge / bestSmall;
}

describe("reading a proven sender's email costs time linear in its size", () => {
  it.each(Object.keys(FAMILIES))('%s: twice the input, at most about twice the time', async (family) => {
    const n = BASE[family]!;
    const small = Buffer.from(FAMILIES[family]!(n), 'latin1');
    const large = Buffer.from(FAMILIES[family]!(2 * n), 'latin1');
    expect(large.length / small.length).toBeGreaterThan(1.8);
    // Both end the same way (refused by the same cap, or parsed): the property compares like with like.
    const outcome = (await read(small)).replace(/\d+/, 'N');
    expect((await read(large)).replace(/\d+/, 'N')).toBe(outcome);
    const ratio = await ratioOf(small, large);
    expect(ratio).toBeLessThan(3);
  });
});
