import { countyByFips, MINNESOTA_COUNTIES, resolveCounty } from '../../shared/domain/counties';

describe('MINNESOTA_COUNTIES', () => {
  it('lists all 87 counties once, sorted by FIPS, with codes 27001–27173 (odd numbers)', () => {
    // Prepare
    const expectedFips = Array.from({ length: 87 }, (_, i) => `27${String(2 * i + 1).padStart(3, '0')}`);

    // Act
    const fips = MINNESOTA_COUNTIES.map((county) => county.fips);
    const names = new Set(MINNESOTA_COUNTIES.map((county) => county.name));

    // Assess
    expect(MINNESOTA_COUNTIES).toHaveLength(87);
    expect(fips).toEqual(expectedFips);
    expect(names.size).toBe(87);
  });

  it.each([
    ['27001', 'Aitkin'],
    ['27037', 'Dakota'],
    ['27053', 'Hennepin'],
    ['27073', 'Lac qui Parle'],
    ['27077', 'Lake of the Woods'],
    ['27085', 'McLeod'],
    ['27087', 'Mahnomen'],
    ['27111', 'Otter Tail'],
    ['27113', 'Pennington'],
    ['27123', 'Ramsey'],
    ['27137', 'St. Louis'],
    ['27139', 'Scott'],
    ['27173', 'Yellow Medicine'],
  ])('gives %s the name %s', (fips, name) => {
    // Act
    const county = countyByFips(fips);

    // Assess
    expect(county?.name).toBe(name);
  });

  it('cannot be changed by a caller', () => {
    // Prepare
    const hennepin = countyByFips('27053');

    // Act
    const act = () => {
      (hennepin as { name: string }).name = 'Changed';
    };

    // Assess
    expect(act).toThrow(TypeError);
    expect(countyByFips('27053')?.name).toBe('Hennepin');
  });
});

describe('resolveCounty', () => {
  it.each(MINNESOTA_COUNTIES.map((county) => [county.name, county.fips]))(
    'resolves %s by name, FIPS and county code',
    (name, fips) => {
      // Prepare
      const countyCode = fips.slice(2);

      // Act
      const results = [
        resolveCounty(name),
        resolveCounty(name.toUpperCase()),
        resolveCounty(`  ${name.toLowerCase()}   County `),
        resolveCounty(fips),
        resolveCounty(countyCode),
        resolveCounty(String(Number(countyCode))),
      ];

      // Assess
      for (const result of results) {
        expect(result?.fips).toBe(fips);
      }
    },
  );

  it.each([
    'St. Louis',
    'St Louis',
    'Saint Louis',
    'st.louis',
    'ST. LOUIS COUNTY',
    'saint   louis county',
    ' St  Louis ',
  ])('resolves the St. Louis alias %p', (input) => {
    // Act / Assess
    expect(resolveCounty(input)?.fips).toBe('27137');
  });

  it.each([
    ['lac qui parle', '27073'],
    ['Lac Qui Parle County', '27073'],
    ['lake of  the woods', '27077'],
    ['Lake', '27075'],
    ['MCLEOD', '27085'],
    ['yellow medicine county', '27173'],
    ['37', '27037'],
    ['1', '27001'],
    ['053', '27053'],
    [' 27053 ', '27053'],
  ])('resolves %p to %s', (input, fips) => {
    // Act / Assess
    expect(resolveCounty(input)?.fips).toBe(fips);
  });

  it.each([
    'Cook County, IL',
    'Hennepinn',
    'Hennepin, MN',
    'County',
    'St. Paul',
    'Louis',
    '27000',
    '27175',
    '55025', // Dane County, Wisconsin
    '174',
    '175',
    '2',
    '0',
    '000',
    '0053',
    '-1',
    '',
    '   ',
  ])('refuses %p', (input) => {
    // Act
    const result = resolveCounty(input);

    // Assess
    expect(result).toBeUndefined();
  });
});

describe('countyByFips', () => {
  it('only answers exact 5-digit Minnesota FIPS codes', () => {
    // Act / Assess
    expect(countyByFips('27123')?.name).toBe('Ramsey');
    expect(countyByFips('123')).toBeUndefined();
    expect(countyByFips('Ramsey')).toBeUndefined();
    expect(countyByFips('27124')).toBeUndefined();
  });
});
