import { SaxesParser } from 'saxes';
import directory from '../../config/demo-directory.json';
import { MINNESOTA_COUNTIES } from '../../shared/domain/counties';
import { computeCoverage, type Coverage } from '../../shared/domain/coverage';
import { OrganizationSchema } from '../../shared/domain/organization';
import { COVERAGE_FILLS, coverageClassOf, renderCoverageMap } from '../../shared/ops/coverage-map';

/*
 * The map is checked as XML: parsed with saxes (exceljs's own XML parser), so an unescaped name or an unbalanced
 * tag fails here rather than in a browser.
 */

interface Element {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: Element[];
  text: string;
}

/** Parses the whole document strictly; throws on the first well-formedness error. */
function parseXml(xml: string): Element {
  const parser = new SaxesParser({ xmlns: false });
  const stack: Element[] = [];
  let root: Element | undefined;
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    const element: Element = { name: tag.name, attributes: { ...tag.attributes }, children: [], text: '' };
    stack[stack.length - 1]?.children.push(element);
    root ??= element;
    stack.push(element);
  });
  parser.on('text', (text) => {
    const current = stack[stack.length - 1];
    if (current) current.text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  if (!root) throw new Error('no root element');
  return root;
}

function descendants(element: Element): Element[] {
  return element.children.flatMap((child) => [child, ...descendants(child)]);
}

function countyPaths(svg: Element): Element[] {
  return descendants(svg).filter((e) => e.name === 'path' && (e.attributes.id ?? '').startsWith('county-'));
}

function countyPath(svg: Element, fips: string): Element {
  const path = countyPaths(svg).find((e) => e.attributes.id === `county-${fips}`);
  if (!path) throw new Error(`no path for ${fips}`);
  return path;
}

function titleOf(element: Element): string | undefined {
  return element.children.find((child) => child.name === 'title')?.text;
}

/** The mean of a path's coordinates, to check where a county lands on the map. */
function centerOf(path: Element): [number, number] {
  const numbers = (path.attributes.d ?? '').match(/-?\d+(?:\.\d+)?/g)?.map(Number) ?? [];
  let x = 0;
  let y = 0;
  for (let i = 0; i < numbers.length; i += 2) {
    x += numbers[i] ?? 0;
    y += numbers[i + 1] ?? 0;
  }
  return [x / (numbers.length / 2), y / (numbers.length / 2)];
}

const organizations = directory.organizations.map((org) => OrganizationSchema.parse(org));
const coverage: Coverage = computeCoverage({
  organizations,
  referrals: [
    { countyFips: '27053', assisterType: 'navigator', referredAt: '2017-11-20T15:00:00.000Z' },
    { countyFips: '27069', assisterType: 'navigator', referredAt: '2017-11-21T15:00:00.000Z' },
    { countyFips: '27069', assisterType: 'navigator', referredAt: '2017-11-22T15:00:00.000Z' },
  ],
  since: '2017-11-01T05:00:00.000Z',
});

const NAVIGATOR_UNCOVERED = ['27021', '27035', '27069', '27077', '27089', '27097', '27113', '27125', '27135', '27153'];

describe('renderCoverageMap', () => {
  const svgText = renderCoverageMap(coverage, { assisterType: 'navigator' });
  const svg = parseXml(svgText);

  it('is well-formed XML with an accessible svg root', () => {
    // Assess
    expect(svg.name).toBe('svg');
    expect(svg.attributes).toMatchObject({
      xmlns: 'http://www.w3.org/2000/svg',
      role: 'img',
      'aria-label': expect.stringContaining('10 counties of 87 with no active navigator organization'),
    });
    expect(titleOf(svg)).toBe('Preferred assister coverage: navigators');
  });

  it('draws the 87 Minnesota counties, each a path with its FIPS id and a title', () => {
    // Act
    const paths = countyPaths(svg);

    // Assess
    expect(paths.map((p) => p.attributes.id)).toEqual(MINNESOTA_COUNTIES.map((c) => `county-${c.fips}`));
    for (const path of paths) {
      expect(path.attributes.d).toMatch(/^M-?\d/);
      expect(titleOf(path)).toMatch(/ County: \d+ active navigator organizations? \(\d+ county, \d+ statewide\); /);
    }
  });

  it('says in each title the county, its active organizations and its referrals', () => {
    // Assess
    expect(titleOf(countyPath(svg, '27053'))).toBe(
      'Hennepin County: 2 active navigator organizations (2 county, 0 statewide); 1 navigator referral since Nov 1, 2017',
    );
    expect(titleOf(countyPath(svg, '27069'))).toBe(
      'Kittson County: 0 active navigator organizations (0 county, 0 statewide); 2 navigator referrals since Nov 1, 2017',
    );
  });

  it('fills exactly the uncovered counties with the uncovered color', () => {
    // Act
    const uncovered = countyPaths(svg)
      .filter((p) => p.attributes.fill === COVERAGE_FILLS.uncovered)
      .map((p) => (p.attributes.id ?? '').slice('county-'.length));

    // Assess
    expect(uncovered).toEqual(NAVIGATOR_UNCOVERED);
    expect(countyPath(svg, '27053').attributes.fill).toBe(COVERAGE_FILLS.two);
    expect(countyPath(svg, '27145').attributes.fill).toBe(COVERAGE_FILLS.one);
  });

  it('has a legend with every class and how many counties fall in it', () => {
    // Act
    const legend = descendants(svg).find((e) => e.name === 'g' && e.attributes.class === 'legend');
    const items = descendants(legend ?? svg).filter(
      (e) => e.name === 'g' && /legend-item/.test(e.attributes.class ?? ''),
    );

    // Assess
    expect(items.map((item) => descendants(item).find((e) => e.name === 'text')?.text)).toEqual([
      'No active organization (10)',
      'Statewide organization only (0)',
      '1 county organization (75)',
      '2 county organizations (2)',
      '3 or more county organizations (0)',
    ]);
    expect(items.map((item) => descendants(item).find((e) => e.name === 'rect')?.attributes.fill)).toEqual([
      COVERAGE_FILLS.uncovered,
      COVERAGE_FILLS['statewide-only'],
      COVERAGE_FILLS.one,
      COVERAGE_FILLS.two,
      COVERAGE_FILLS['three-or-more'],
    ]);
  });

  it('puts north up and west left: Kittson (northwest corner) above and left of Houston (southeast corner)', () => {
    // Act
    const [kittsonX, kittsonY] = centerOf(countyPath(svg, '27069'));
    const [houstonX, houstonY] = centerOf(countyPath(svg, '27055'));
    const [, cookY] = centerOf(countyPath(svg, '27031'));

    // Assess
    expect(kittsonX).toBeLessThan(houstonX);
    expect(kittsonY).toBeLessThan(houstonY);
    expect(cookY).toBeLessThan(houstonY);
  });

  it('stays within the image and is small', () => {
    // Act
    const width = Number(svg.attributes.width);
    const height = Number(svg.attributes.height);
    const numbers = countyPaths(svg).flatMap((p) => (p.attributes.d ?? '').match(/-?\d+(?:\.\d+)?/g) ?? []);

    // Assess
    expect(Buffer.byteLength(svgText)).toBeLessThan(400 * 1024);
    expect(svg.attributes.viewBox).toBe(`0 0 ${width} ${height}`);
    expect(numbers.length).toBeGreaterThan(87 * 2 * 3);
    expect(Math.min(...numbers.map(Number))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...numbers.map(Number))).toBeLessThanOrEqual(Math.max(width, height));
    // One decimal at most: the output is the same bytes on every machine.
    expect(numbers.filter((n) => !/^\d+(\.\d)?$/.test(n))).toEqual([]);
  });

  it('is deterministic: the same coverage gives the same bytes', () => {
    // Assess
    expect(renderCoverageMap(coverage, { assisterType: 'navigator' })).toBe(svgText);
  });
});

describe('renderCoverageMap options', () => {
  it('hatches counties served by a statewide organization only (brokers outside the metro)', () => {
    // Act
    const svg = parseXml(renderCoverageMap(coverage, { assisterType: 'broker' }));

    // Assess
    expect(countyPath(svg, '27069').attributes.fill).toBe('url(#statewide-only-hatch)');
    expect(descendants(svg).some((e) => e.name === 'pattern' && e.attributes.id === 'statewide-only-hatch')).toBe(true);
    expect(countyPaths(svg).filter((p) => p.attributes.fill === COVERAGE_FILLS.uncovered)).toEqual([]);
    expect(countyPath(svg, '27053').attributes.fill).toBe(COVERAGE_FILLS.one);
  });

  it('counts only organizations offering the language when one is given', () => {
    // Act: Somali navigators serve the metro (two in Hennepin and Ramsey) and the St. Cloud area.
    const svg = parseXml(renderCoverageMap(coverage, { assisterType: 'navigator', language: 'so' }));

    // Assess
    expect(countyPath(svg, '27053').attributes.fill).toBe(COVERAGE_FILLS.two);
    expect(countyPath(svg, '27145').attributes.fill).toBe(COVERAGE_FILLS.one);
    expect(countyPath(svg, '27137').attributes.fill).toBe(COVERAGE_FILLS.uncovered);
    expect(titleOf(countyPath(svg, '27137'))).toBe(
      'St. Louis County: 0 active navigator organizations offering Somali (0 county, 0 statewide); 0 navigator referrals since Nov 1, 2017',
    );
    expect(titleOf(svg)).toBe('Preferred assister coverage: navigators offering Somali');
  });

  it('escapes a title given by the caller', () => {
    // Act
    const text = renderCoverageMap(coverage, { assisterType: 'navigator', title: 'Gaps <script> & "more"' });

    // Assess
    expect(text).not.toContain('<script>');
    expect(titleOf(parseXml(text))).toBe('Gaps <script> & "more"');
  });

  it('scales to the width asked for and refuses an unusable one', () => {
    // Act
    const svg = parseXml(renderCoverageMap(coverage, { assisterType: 'navigator', width: 1200 }));

    // Assess
    expect(svg.attributes.width).toBe('1200');
    expect(() => renderCoverageMap(coverage, { assisterType: 'navigator', width: 10 })).toThrow(RangeError);
    expect(() => renderCoverageMap(coverage, { assisterType: 'navigator', width: Number.NaN })).toThrow(RangeError);
  });
});

describe('coverageClassOf', () => {
  it.each([
    [0, 0, 'uncovered'],
    [0, 1, 'statewide-only'],
    [1, 0, 'one'],
    [1, 1, 'one'],
    [2, 0, 'two'],
    [3, 0, 'three-or-more'],
    [7, 2, 'three-or-more'],
  ] as const)('%i county and %i statewide organizations → %s', (county, statewide, expected) => {
    // Assess
    expect(coverageClassOf(county, statewide)).toBe(expected);
  });
});
