/** A Minnesota county with its 5-digit FIPS code (state 27 + 3-digit county code). */
export interface MinnesotaCounty {
  readonly fips: string;
  readonly name: string;
}

// All 87 counties, sorted by FIPS. Codes run alphabetically, with St. Louis filed as "Saint Louis" and McLeod as "MacLeod"
// (hence McLeod 085 before Mahnomen 087).
const COUNTIES: MinnesotaCounty[] = [
  { fips: '27001', name: 'Aitkin' },
  { fips: '27003', name: 'Anoka' },
  { fips: '27005', name: 'Becker' },
  { fips: '27007', name: 'Beltrami' },
  { fips: '27009', name: 'Benton' },
  { fips: '27011', name: 'Big Stone' },
  { fips: '27013', name: 'Blue Earth' },
  { fips: '27015', name: 'Brown' },
  { fips: '27017', name: 'Carlton' },
  { fips: '27019', name: 'Carver' },
  { fips: '27021', name: 'Cass' },
  { fips: '27023', name: 'Chippewa' },
  { fips: '27025', name: 'Chisago' },
  { fips: '27027', name: 'Clay' },
  { fips: '27029', name: 'Clearwater' },
  { fips: '27031', name: 'Cook' },
  { fips: '27033', name: 'Cottonwood' },
  { fips: '27035', name: 'Crow Wing' },
  { fips: '27037', name: 'Dakota' },
  { fips: '27039', name: 'Dodge' },
  { fips: '27041', name: 'Douglas' },
  { fips: '27043', name: 'Faribault' },
  { fips: '27045', name: 'Fillmore' },
  { fips: '27047', name: 'Freeborn' },
  { fips: '27049', name: 'Goodhue' },
  { fips: '27051', name: 'Grant' },
  { fips: '27053', name: 'Hennepin' },
  { fips: '27055', name: 'Houston' },
  { fips: '27057', name: 'Hubbard' },
  { fips: '27059', name: 'Isanti' },
  { fips: '27061', name: 'Itasca' },
  { fips: '27063', name: 'Jackson' },
  { fips: '27065', name: 'Kanabec' },
  { fips: '27067', name: 'Kandiyohi' },
  { fips: '27069', name: 'Kittson' },
  { fips: '27071', name: 'Koochiching' },
  { fips: '27073', name: 'Lac qui Parle' },
  { fips: '27075', name: 'Lake' },
  { fips: '27077', name: 'Lake of the Woods' },
  { fips: '27079', name: 'Le Sueur' },
  { fips: '27081', name: 'Lincoln' },
  { fips: '27083', name: 'Lyon' },
  { fips: '27085', name: 'McLeod' },
  { fips: '27087', name: 'Mahnomen' },
  { fips: '27089', name: 'Marshall' },
  { fips: '27091', name: 'Martin' },
  { fips: '27093', name: 'Meeker' },
  { fips: '27095', name: 'Mille Lacs' },
  { fips: '27097', name: 'Morrison' },
  { fips: '27099', name: 'Mower' },
  { fips: '27101', name: 'Murray' },
  { fips: '27103', name: 'Nicollet' },
  { fips: '27105', name: 'Nobles' },
  { fips: '27107', name: 'Norman' },
  { fips: '27109', name: 'Olmsted' },
  { fips: '27111', name: 'Otter Tail' },
  { fips: '27113', name: 'Pennington' },
  { fips: '27115', name: 'Pine' },
  { fips: '27117', name: 'Pipestone' },
  { fips: '27119', name: 'Polk' },
  { fips: '27121', name: 'Pope' },
  { fips: '27123', name: 'Ramsey' },
  { fips: '27125', name: 'Red Lake' },
  { fips: '27127', name: 'Redwood' },
  { fips: '27129', name: 'Renville' },
  { fips: '27131', name: 'Rice' },
  { fips: '27133', name: 'Rock' },
  { fips: '27135', name: 'Roseau' },
  { fips: '27137', name: 'St. Louis' },
  { fips: '27139', name: 'Scott' },
  { fips: '27141', name: 'Sherburne' },
  { fips: '27143', name: 'Sibley' },
  { fips: '27145', name: 'Stearns' },
  { fips: '27147', name: 'Steele' },
  { fips: '27149', name: 'Stevens' },
  { fips: '27151', name: 'Swift' },
  { fips: '27153', name: 'Todd' },
  { fips: '27155', name: 'Traverse' },
  { fips: '27157', name: 'Wabasha' },
  { fips: '27159', name: 'Wadena' },
  { fips: '27161', name: 'Waseca' },
  { fips: '27163', name: 'Washington' },
  { fips: '27165', name: 'Watonwan' },
  { fips: '27167', name: 'Wilkin' },
  { fips: '27169', name: 'Winona' },
  { fips: '27171', name: 'Wright' },
  { fips: '27173', name: 'Yellow Medicine' },
];

export const MINNESOTA_COUNTIES: readonly MinnesotaCounty[] = Object.freeze(
  COUNTIES.map((county) => Object.freeze(county)),
);

const STATE_FIPS = '27';
const MAX_COUNTY_CODE = 173;

/** Lower-cased, whitespace-collapsed, without a trailing "county", with every St. Louis spelling made one. */
function normalizeName(input: string): string {
  return input
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/ county$/, '')
    .replace(/^(?:st\. ?|st |saint )louis$/, 'st. louis');
}

const byName = new Map<string, MinnesotaCounty>(
  MINNESOTA_COUNTIES.map((county) => [normalizeName(county.name), county]),
);
const byFips = new Map<string, MinnesotaCounty>(MINNESOTA_COUNTIES.map((county) => [county.fips, county]));

export function countyByFips(fips: string): MinnesotaCounty | undefined {
  return byFips.get(fips);
}

/**
 * Accepts a county name (any case, extra whitespace, optional " County", St./St/Saint Louis), a 5-digit FIPS
 * code ('27137') or a 1–3 digit county code ('137', '37'). Anything else, including other states, is undefined.
 */
export function resolveCounty(input: string): MinnesotaCounty | undefined {
  const trimmed = input.trim();
  if (/^\d{5}$/.test(trimmed)) {
    return byFips.get(trimmed);
  }
  if (/^\d{1,3}$/.test(trimmed)) {
    const code = Number(trimmed);
    // County codes are odd numbers 001–173; refusing the rest keeps '0' or '174' from matching by accident.
    if (code % 2 === 1 && code <= MAX_COUNTY_CODE) {
      return byFips.get(STATE_FIPS + String(code).padStart(3, '0'));
    }
    return undefined;
  }
  return byName.get(normalizeName(trimmed));
}
