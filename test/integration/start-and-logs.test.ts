import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referralBody } from './support/referrals';

/*
 * `npm start` as a user runs it (a child process, logging on), driven over HTTP: the lead email
 * shows in the SES stand-in, Ctrl-C stops it cleanly, and nothing it logged names the consumer.
 */
const root = join(__dirname, '..', '..');
let child: ChildProcessWithoutNullStreams;
let output = '';
let stderr = '';
let dataDir: string;
let apiUrl: string;
let sesUrl: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pal-start-'));
  child = spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'infra/local/start.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', SES_PORT: '0', PAL_DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'DEBUG' },
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
    stderr += d.toString();
  });
  const deadline = Date.now() + 45_000;
  while (!/Ctrl-C stops everything/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  apiUrl = /Intake API\s+(http:\S+)/.exec(output)![1]!;
  sesUrl = /Sent email \(SES\)\s+(http:\S+?)\/?\s/.exec(output)![1]!;
}, 60_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const consumer = {
  firstName: 'Philippa',
  lastName: 'Quarrington',
  phone: '(651) 555-0177',
  email: 'philippa.q@example.org',
};

it('opens with the Node it runs on and prints no warning', () => {
  expect(output.split('\n')[0]).toBe(`Node ${process.version} (${process.execPath})`);
  // Node's and the AWS SDK's warnings (deprecations, "NodeVersionSupportWarning") go to stderr.
  expect(stderr).toBe('');
});

it('prints the URLs and a curl example, and delivers the sample lead to the SES web view', async () => {
  expect(output).toMatch(
    /curl -i -H 'Content-Type: application\/json' -d @examples\/referral\.json http:\S+\/referrals/,
  );

  const res = await fetch(`${apiUrl}/referrals`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(referralBody({ consumer })),
  });
  expect(res.status).toBe(201);
  // A refused body that carries PII too: the refusal must not log it either.
  await fetch(`${apiUrl}/referrals`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(referralBody({ consumer: { ...consumer, county: 'Nowhere' } })),
  });

  let emails: { subject: string; body: { text: string } }[] = [];
  for (let i = 0; i < 100 && emails.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    emails = ((await (await fetch(`${sesUrl}/store`)).json()) as { emails: typeof emails }).emails;
  }
  expect(emails).toHaveLength(1);
  expect(emails[0]!.body.text).not.toContain('Philippa');
  const link = /Open the lead .*?: (\S+)/.exec(emails[0]!.body.text)![1]!;
  expect(await (await fetch(link)).text()).not.toContain('Philippa Quarrington');
  expect(await (await fetch(link, { method: 'POST' })).text()).toContain('Philippa Quarrington');
  const page = await fetch(`${sesUrl}/`);
  expect(page.status).toBe(200);
});

it("stops cleanly on Ctrl-C, and its logs never contain the consumer's name, phone or email", async () => {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  expect(await exited).toBe(0);

  expect(output).toMatch(/"message":"Lead emailed"/);
  expect(output).toMatch(/"message":"Lead viewed"/);
  expect(output).toMatch(/"message":"Referral refused"/);
  for (const pii of ['Philippa', 'Quarrington', '555-0177', '5550177', 'philippa.q', consumer.email]) {
    expect(output).not.toContain(pii);
  }
  expect(stderr).toBe('');
});
