import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { LocalStack } from '../../infra/local/stack';
import { postJson, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';

/*
 * The ops page as the PAL point of contact sees it: loaded in headless Chromium (Debian's package;
 * .ci/run installs it), with the coverage map and the performance table on it.
 */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const maybe = CHROMIUM ? describe : describe.skip;

let stack: LocalStack;
let browser: Browser | undefined;
let now = new Date('2017-11-20T18:00:00Z');

beforeAll(async () => {
  stack = await startTestStack({ clock: () => now });
  for (const [day, county, zip] of [
    ['06', 'Hennepin', '55404'],
    ['08', 'Olmsted', '55901'],
    ['09', 'Kittson', '56728'],
  ] as const) {
    await postJson(
      `${stack.apiUrl}/referrals`,
      referralBody({ referredAt: `2017-11-${day}T10:00:00-06:00`, consumer: { county, zip, preferredLanguage: 'en' } }),
    );
  }
  await settle(stack);
  now = new Date('2017-11-22T13:00:00Z');
  await stack.sendReports('2017-11-22');
  now = new Date('2017-12-01T15:00:00Z');
  await stack.checkDueReports('2017-12-01');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack.stop();
});

describe('the admin figures', () => {
  const admin = (path: string) =>
    fetch(`${stack.apiUrl}/admin${path}`, { headers: { 'x-pal-admin-key': stack.adminKey } });

  it('coverage names the uncovered counties and counts their referrals', async () => {
    const coverage = (await (await admin('/coverage?days=30')).json()) as {
      uncovered: { countyFips: string; assisterType: string }[];
      counties: { countyFips: string; assisterType: string; referrals: number }[];
    };
    expect(coverage.uncovered).toContainEqual(
      expect.objectContaining({ countyFips: '27069', assisterType: 'navigator' }),
    );
    expect(coverage.counties.find((c) => c.countyFips === '27069' && c.assisterType === 'navigator')?.referrals).toBe(
      1,
    );
  });

  it('serves the county map as SVG and the performance figures as CSV', async () => {
    const svg = await (await admin('/coverage/map.svg?type=navigator')).text();
    const csv = await (await admin('/performance?from=2017-11-01&to=2017-11-30&format=csv')).text();
    expect(svg.match(/<path[^>]+id="county-27\d{3}"/g)).toHaveLength(87);
    expect(csv.split('\r\n')[0]).toMatch(/organization/i);
    expect(csv).toContain('twin-cities-health-navigators');
  });
});

maybe('the ops page in headless Chromium', () => {
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  it('shows the coverage map, the performance table, the overdue reports and the unroutable referrals', async () => {
    const page = await browser!.newPage();
    const response = await page.goto(`${stack.apiUrl}/ops`);

    expect(response?.status()).toBe(200);
    expect(await page.locator('#map-navigator svg path[id^="county-27"]').count()).toBe(87);
    expect(await page.locator('#map-navigator svg #county-27069').getAttribute('fill')).toBeTruthy();
    const performance = page.locator('#performance');
    expect(await performance.locator('table').count()).toBeGreaterThan(1);
    expect(await performance.innerText()).toContain('North Star Community Clinic');
    expect(await performance.locator('table').first().innerText()).toMatch(/Nov 1, 2017 – Nov 15, 2017\t2\t1\t/);
    expect(await page.locator('#overdue-reports tbody tr').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#overdue-reports').innerText()).toContain('north-star-community-clinic');
    expect(await page.locator('#unroutable-referrals').innerText()).toContain('Kittson (27069)');
    await page.screenshot({
      path: join(tmpdir(), 'pal-ops-page.png'),
      fullPage: true,
    });
  });
});
