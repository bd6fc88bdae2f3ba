import type { Feature, MultiLineString, MultiPolygon, Polygon, Position } from 'geojson';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
// Static import, so tsx, jest and an esbuild bundle all find it without the package on disk. It costs ~840 KB
// (the whole country's counties); only the admin function that draws maps pays for it.
import countiesAtlas from 'us-atlas/counties-10m.json';
import type { AssisterType } from '../domain/assister-type';
import type { Coverage, CountyCoverage } from '../domain/coverage';
import { languageName, type LanguageCode } from '../domain/languages';
import { minnesotaDateOf } from '../domain/minnesota-time';

/*
 * A map of Minnesota's 87 counties shaded by how well the program covers them, as a standalone SVG for the ops page
 * and the CLI. No browser and no d3: d3-geo is ESM-only and jest runs this code as CommonJS, so the projection is a
 * spherical Albers equal-area conic written out below (the same formulas as d3's geoConicEqualArea).
 */

export interface CoverageMapOptions {
  readonly assisterType: AssisterType;
  /** Count only organizations offering this language. */
  readonly language?: LanguageCode;
  readonly title?: string;
  /** Width of the whole image in px (map and legend); the height follows from Minnesota's shape. @default 760 */
  readonly width?: number;
}

/** Shading classes, from worst to best. */
export type CoverageClass = 'uncovered' | 'statewide-only' | 'one' | 'two' | 'three-or-more';

/** Fill of each class: a red that cannot be mistaken for the blues, a hatch for "served from afar only". */
export const COVERAGE_FILLS: Readonly<Record<CoverageClass, string>> = {
  uncovered: '#d7301f',
  'statewide-only': 'url(#statewide-only-hatch)',
  one: '#c6dbef',
  two: '#6baed6',
  'three-or-more': '#08519c',
};

const LEGEND_LABELS: Readonly<Record<CoverageClass, string>> = {
  uncovered: 'No active organization',
  'statewide-only': 'Statewide organization only',
  one: '1 county organization',
  two: '2 county organizations',
  'three-or-more': '3 or more county organizations',
};

const CLASSES: readonly CoverageClass[] = ['uncovered', 'statewide-only', 'one', 'two', 'three-or-more'];

const MINNESOTA_STATE_FIPS = '27';
const DEFAULT_WIDTH = 760;
const MIN_WIDTH = 360;
const MAX_WIDTH = 4000;

// Albers equal-area conic for Minnesota (43.5°–49.4° N, 89.5°–97.2° W): standard parallels inside the state keep
// scale error under about 1%, and the central meridian through its middle keeps north up.
const STANDARD_PARALLELS: readonly [number, number] = [45.5, 47.5];
const CENTRAL_MERIDIAN = -93.4;
const LATITUDE_OF_ORIGIN = 46.4;

const RADIANS = Math.PI / 180;

interface Albers {
  (longitude: number, latitude: number): [number, number];
}

/** Unit-sphere Albers equal-area conic (Snyder, Map Projections: A Working Manual, eqs. 14-1 to 14-6); y is north. */
function albers(): Albers {
  const phi1 = STANDARD_PARALLELS[0] * RADIANS;
  const phi2 = STANDARD_PARALLELS[1] * RADIANS;
  const n = (Math.sin(phi1) + Math.sin(phi2)) / 2;
  const c = Math.cos(phi1) ** 2 + 2 * n * Math.sin(phi1);
  const rho0 = Math.sqrt(c - 2 * n * Math.sin(LATITUDE_OF_ORIGIN * RADIANS)) / n;
  return (longitude, latitude) => {
    const rho = Math.sqrt(c - 2 * n * Math.sin(latitude * RADIANS)) / n;
    const theta = n * (longitude - CENTRAL_MERIDIAN) * RADIANS;
    return [rho * Math.sin(theta), rho0 - rho * Math.cos(theta)];
  };
}

type CountyGeometry = Polygon | MultiPolygon;

interface MinnesotaShapes {
  readonly counties: readonly { readonly fips: string; readonly rings: readonly Position[][] }[];
  readonly outline: readonly Position[][];
}

let shapes: MinnesotaShapes | undefined;

/** Minnesota's counties and outline in longitude/latitude, decoded from the atlas once per process. */
function minnesotaShapes(): MinnesotaShapes {
  if (shapes) return shapes;
  const topology = countiesAtlas as unknown as Topology<{ counties: GeometryCollection<{ name: string }> }>;
  const minnesota: GeometryCollection<{ name: string }> = {
    type: 'GeometryCollection',
    geometries: topology.objects.counties.geometries.filter((g) => String(g.id).startsWith(MINNESOTA_STATE_FIPS)),
  };
  const collection = feature(topology, minnesota);
  const counties = collection.features
    .map((f) => {
      const geometry = (f as Feature<CountyGeometry>).geometry;
      const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
      return { fips: String(f.id), rings: polygons.flat() };
    })
    .sort((a, b) => (a.fips < b.fips ? -1 : a.fips > b.fips ? 1 : 0));
  // Arcs used by one county only are the state's edge.
  const outline: MultiLineString = mesh(topology, minnesota, (a, b) => a === b);
  shapes = { counties, outline: outline.coordinates };
  return shapes;
}

/** One decimal, no "-0": the output must be byte-for-byte the same for the same input. */
function round(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

type Point = readonly [number, number];

/** Path data for lines through projected points; repeated points after rounding are dropped. */
function pathData(lines: readonly (readonly Point[])[], close: boolean): string {
  const parts: string[] = [];
  for (const line of lines) {
    const coordinates: string[] = [];
    for (const [x, y] of line) {
      const pair = `${round(x)},${round(y)}`;
      if (coordinates[coordinates.length - 1] !== pair) coordinates.push(pair);
    }
    // GeoJSON rings repeat the first point at the end; Z closes the ring instead.
    if (close && coordinates.length > 1 && coordinates[0] === coordinates[coordinates.length - 1]) coordinates.pop();
    if (coordinates.length < (close ? 3 : 2)) continue;
    parts.push(`M${coordinates.join(' ')}${close ? 'Z' : ''}`);
  }
  return parts.join('');
}

export function coverageClassOf(countyOrganizations: number, statewideOrganizations: number): CoverageClass {
  if (countyOrganizations >= 3) return 'three-or-more';
  if (countyOrganizations === 2) return 'two';
  if (countyOrganizations === 1) return 'one';
  return statewideOrganizations > 0 ? 'statewide-only' : 'uncovered';
}

interface CountyShading {
  readonly county: CountyCoverage;
  readonly countyOrganizations: number;
  readonly statewideOrganizations: number;
  readonly coverageClass: CoverageClass;
}

/** What the map counts for a county: every active organization, or only those offering the language. */
function shadingOf(county: CountyCoverage, language: LanguageCode | undefined): CountyShading {
  const offered = language === undefined ? county : county.languages.find((entry) => entry.language === language);
  const countyOrganizations = offered?.countyOrganizations ?? 0;
  const statewideOrganizations = offered?.statewideOrganizations ?? 0;
  return {
    county,
    countyOrganizations,
    statewideOrganizations,
    coverageClass: coverageClassOf(countyOrganizations, statewideOrganizations),
  };
}

function plural(count: number, one: string, many: string = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 2017-11-01T06:00:00Z → "Nov 1, 2017" (the Minnesota date). */
function sinceText(since: string): string {
  const date = minnesotaDateOf(new Date(since));
  return `${MONTHS[Number(date.slice(5, 7)) - 1]} ${Number(date.slice(8, 10))}, ${date.slice(0, 4)}`;
}

function countyTitle(shading: CountyShading, options: CoverageMapOptions, since: string): string {
  const { county, countyOrganizations, statewideOrganizations } = shading;
  const offering = options.language === undefined ? '' : ` offering ${languageName(options.language)}`;
  const total = countyOrganizations + statewideOrganizations;
  return (
    `${county.countyName} County: ${plural(total, `active ${options.assisterType} organization`)}${offering}` +
    ` (${countyOrganizations} county, ${statewideOrganizations} statewide); ` +
    `${plural(county.referrals, `${options.assisterType} referral`)} since ${since}`
  );
}

/**
 * The coverage of one assister type as an SVG map. Counties are `<path id="county-<FIPS>">` with a `<title>` (name,
 * active organizations, referrals), filled by class: uncovered, statewide only, then 1, 2, 3+ county organizations.
 */
export function renderCoverageMap(coverage: Coverage, options: CoverageMapOptions): string {
  const width = options.width ?? DEFAULT_WIDTH;
  if (!Number.isFinite(width) || width < MIN_WIDTH || width > MAX_WIDTH) {
    throw new RangeError(`width must be between ${MIN_WIDTH} and ${MAX_WIDTH} px, got ${width}`);
  }
  const { counties, outline } = minnesotaShapes();
  const since = sinceText(coverage.since);
  const typePlural = `${options.assisterType}s`;
  const offering = options.language === undefined ? '' : ` offering ${languageName(options.language)}`;
  const title = options.title ?? `Preferred assister coverage: ${typePlural}${offering}`;

  const byFips = new Map<string, CountyShading>();
  for (const county of coverage.counties) {
    if (county.assisterType === options.assisterType) {
      byFips.set(county.countyFips, shadingOf(county, options.language));
    }
  }

  // Layout: title on top, the map on the left, the legend in a column on the right.
  const margin = 16;
  const titleHeight = 58;
  const legendWidth = Math.round(Math.max(280, width * 0.36));
  const mapWidth = width - legendWidth - 3 * margin;

  const project = albers();
  const projected = counties.map((county) => ({
    fips: county.fips,
    rings: county.rings.map((ring) => ring.map(([lon = 0, lat = 0]): Point => project(lon, lat))),
  }));
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const county of projected) {
    for (const ring of county.rings) {
      for (const [x, y] of ring) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
  }
  const scale = mapWidth / (maxX - minX);
  const mapHeight = (maxY - minY) * scale;
  // SVG's y grows downward, the projection's northward: flip it.
  const toScreen = ([x, y]: Point): Point => [margin + (x - minX) * scale, titleHeight + (maxY - y) * scale];

  const classCounts = new Map<CoverageClass, number>(CLASSES.map((c) => [c, 0]));
  const paths: string[] = [];
  for (const county of projected) {
    const shading = byFips.get(county.fips);
    if (!shading) {
      throw new Error(`Coverage has no ${options.assisterType} entry for county ${county.fips}`);
    }
    classCounts.set(shading.coverageClass, (classCounts.get(shading.coverageClass) ?? 0) + 1);
    const d = pathData(
      county.rings.map((ring) => ring.map(toScreen)),
      true,
    );
    paths.push(
      `<path id="county-${county.fips}" class="county ${shading.coverageClass}" fill="${COVERAGE_FILLS[shading.coverageClass]}" d="${d}">` +
        `<title>${escapeXml(countyTitle(shading, options, since))}</title></path>`,
    );
  }
  const outlinePath = pathData(
    outline.map((line) => line.map(([lon = 0, lat = 0]) => toScreen(project(lon, lat)))),
    false,
  );

  const legendX = 2 * margin + mapWidth;
  const legendY = titleHeight + 8;
  const swatch = 18;
  const rowHeight = 28;
  const legendRows = CLASSES.map((coverageClass, index) => {
    const y = legendY + 30 + index * rowHeight;
    const count = classCounts.get(coverageClass) ?? 0;
    return (
      `<g class="legend-item ${coverageClass}">` +
      `<rect x="${legendX}" y="${y}" width="${swatch}" height="${swatch}" fill="${COVERAGE_FILLS[coverageClass]}" stroke="#555" stroke-width="0.5"/>` +
      `<text x="${legendX + swatch + 8}" y="${y + 13}">${escapeXml(LEGEND_LABELS[coverageClass])} (${count})</text></g>`
    );
  });
  const notesY = legendY + 30 + CLASSES.length * rowHeight + 14;
  const notes = [
    '(n): how many counties.',
    ...(options.language === undefined ? [] : [`Only organizations offering ${languageName(options.language)} count.`]),
    'Statewide organizations serve every county',
    'as a fallback; suspended ones do not count.',
  ];
  const legendHeight = notesY + notes.length * 16 - titleHeight;
  const height = Math.ceil(titleHeight + Math.max(mapHeight, legendHeight) + margin);

  const uncoveredCount = classCounts.get('uncovered') ?? 0;
  const statewideOnlyCount = classCounts.get('statewide-only') ?? 0;
  const summary =
    `${plural(uncoveredCount, 'county', 'counties')} of ${counties.length} with no active ${options.assisterType} organization${offering}; ` +
    `${plural(statewideOnlyCount, 'county', 'counties')} served by statewide organizations only. Referrals since ${since}.`;
  const subtitle = `Active organizations per county; referrals since ${since}`;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`${title}. ${summary}`)}" font-family="system-ui, -apple-system, 'Segoe UI', Arial, sans-serif">`,
    `<title>${escapeXml(title)}</title>`,
    `<desc>${escapeXml(summary)}</desc>`,
    '<defs><pattern id="statewide-only-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<rect width="6" height="6" fill="#fdebd3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d4812c" stroke-width="2.5"/></pattern></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin}" y="28" font-size="20" font-weight="600" fill="#1a1a1a">${escapeXml(title)}</text>`,
    `<text x="${margin}" y="48" font-size="13" fill="#444">${escapeXml(subtitle)}</text>`,
    `<g class="counties" stroke="#ffffff" stroke-width="0.7" stroke-linejoin="round">`,
    ...paths,
    '</g>',
    `<path class="state-outline" fill="none" stroke="#333" stroke-width="1.2" stroke-linejoin="round" d="${outlinePath}"/>`,
    `<g class="legend" font-size="13" fill="#1a1a1a">`,
    `<text x="${legendX}" y="${legendY + 16}" font-weight="600">Active ${escapeXml(typePlural)}${escapeXml(offering)}</text>`,
    ...legendRows,
    ...notes.map(
      (line, index) =>
        `<text x="${legendX}" y="${notesY + index * 16}" font-size="11" fill="#555">${escapeXml(line)}</text>`,
    ),
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
