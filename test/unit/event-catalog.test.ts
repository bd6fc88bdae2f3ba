import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CATALOG, EVENT_SOURCE } from '../../events/catalog';
import { buildEvent, type EventDefinition } from '../../events/envelope';
import { ReferralCreated } from '../../events/referral-events';
import { referralIdFor } from '../../shared/domain/referral';

const SAMPLES_DIR = join(__dirname, '..', '..', 'events', 'samples');
const REFERRAL_ID = referralIdFor('CRM-2026-000123');
const PII_KEYS = ['firstName', 'lastName', 'phone', 'email'];

interface SampleEnvelope {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: unknown[];
  detail: { metadata: { version: number; occurredAt: string; eventId: string }; data: Record<string, unknown> };
}

function readSample(file: string): SampleEnvelope {
  return JSON.parse(readFileSync(join(SAMPLES_DIR, file), 'utf8')) as SampleEnvelope;
}

/** Every key of every object nested anywhere in a JSON value. */
function keysDeep(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysDeep);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [k, ...keysDeep(v)]);
  }
  return [];
}

// The catalog's entries are a union of definitions; buildEvent is exercised on each through one wide signature.
type AnyDefinition = EventDefinition<string, (typeof EVENT_CATALOG)[number]['event']['detailSchema']>;

const entries = EVENT_CATALOG.map((entry) => ({
  detailType: entry.event.detailType,
  sample: entry.sample,
  event: entry.event as unknown as AnyDefinition,
}));

describe('the event catalog samples', () => {
  it.each(entries)('$sample exists and is a valid "$detailType" envelope', ({ sample, event }) => {
    // Prepare
    const json = readSample(sample);

    // Act
    const parsed = event.envelopeSchema.safeParse(json);

    // Assess
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.success).toBe(true);
  });

  it.each(entries)('$sample carries the detail-type "$detailType" and the system source', ({ sample, detailType }) => {
    // Act
    const json = readSample(sample);

    // Assess
    expect(json['detail-type']).toBe(detailType);
    expect(json.source).toBe(EVENT_SOURCE);
  });

  it.each(entries)('$sample is a full EventBridge event as a Lambda target receives it', ({ sample, event }) => {
    // Act
    const json = readSample(sample);

    // Assess
    expect(json.version).toBe('0');
    expect(json.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(json.account).toMatch(/^\d{12}$/);
    expect(json.region).toBe('us-east-2');
    expect(json.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(json.resources).toEqual([]);
    expect(json.detail.metadata.version).toBe(event.version);
    // EventBridge's time is the publication second; the fact cannot have occurred after it.
    expect(Date.parse(json.detail.metadata.occurredAt)).toBeLessThan(Date.parse(json.time) + 1000);
  });

  it.each([
    ['referral-created.v1.json', `${REFERRAL_ID}:created`],
    ['referral-routed.v1.json', `${REFERRAL_ID}:routed`],
    ['referral-unroutable.v1.json', `${REFERRAL_ID}:unroutable`],
    ['lead-emailed.v1.json', `${REFERRAL_ID}:lead-emailed`],
    ['lead-email-failed.v1.json', `${REFERRAL_ID}:lead-email-failed:1`],
  ])('%s is about the example referral and carries the eventId its producer uses (%s)', (sample, eventId) => {
    // Act
    const json = readSample(sample);

    // Assess
    expect(json.detail.data.referralId).toBe(REFERRAL_ID);
    expect(json.detail.metadata.eventId).toBe(eventId);
  });

  it.each(entries)('$sample is exactly what buildEvent publishes for its data', ({ sample, event }) => {
    // Prepare
    const json = readSample(sample);
    const { metadata, data } = json.detail;

    // Act
    const built = buildEvent(event, data as never, metadata.eventId, new Date(metadata.occurredAt));

    // Assess
    expect(built.detailType).toBe(json['detail-type']);
    expect(built.detail).toEqual(json.detail);
  });

  it.each(entries)('$sample contains no consumer name, phone or email anywhere', ({ sample }) => {
    // Act
    const keys = keysDeep(readSample(sample));

    // Assess
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.filter((k) => PII_KEYS.includes(k))).toEqual([]);
  });

  it('every JSON file in events/samples belongs to a catalog entry, and every entry has its own file', () => {
    // Prepare
    const catalogued = EVENT_CATALOG.map((entry) => entry.sample);

    // Act
    const files = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.json'));

    // Assess
    expect([...files].sort()).toEqual([...catalogued].sort());
    expect(new Set(catalogued).size).toBe(catalogued.length);
  });
});

describe('buildEvent', () => {
  const occurredAt = new Date('2026-11-04T21:12:01.482Z');

  it.each(entries)('refuses a "$detailType" whose data carries a consumer name', ({ sample, event }) => {
    // Prepare
    const { data } = readSample(sample).detail;
    const withName = { ...data, firstName: 'Avery', lastName: 'Example' };

    // Act
    const build = () => buildEvent(event, withName as never, `${REFERRAL_ID}:x`, occurredAt);

    // Assess
    expect(build).toThrow(/firstName/);
  });

  it.each([
    ['a phone number', { phone: '+16125550142' }],
    ['an email address', { email: 'avery.example@example.org' }],
    ['a county outside Minnesota', { countyFips: '55079' }],
    ['a referral id not derived by referralIdFor', { referralId: 'CRM-2026-000123' }],
    ['an unknown assister type', { assisterType: 'agent' }],
    ['no CRM referral id', { crmReferralId: undefined }],
  ])('refuses a Referral Created with %s', (_label, change) => {
    // Prepare
    const data = {
      referralId: REFERRAL_ID,
      crmReferralId: 'CRM-2026-000123',
      referredAt: '2026-11-04T21:12:00.000Z',
      countyFips: '27053',
      assisterType: 'navigator',
      ...change,
    };

    // Act
    const build = () => buildEvent(ReferralCreated, data as never, `${REFERRAL_ID}:created`, occurredAt);

    // Assess
    expect(build).toThrow();
  });

  it('builds a valid Referral Created with its version, time and eventId in the metadata', () => {
    // Act
    const built = buildEvent(
      ReferralCreated,
      {
        referralId: REFERRAL_ID,
        crmReferralId: 'CRM-2026-000123',
        referredAt: '2026-11-04T21:12:00.000Z',
        countyFips: '27053',
        assisterType: 'navigator',
      },
      `${REFERRAL_ID}:created`,
      occurredAt,
    );

    // Assess
    expect(built.detailType).toBe('Referral Created');
    expect(built.detail.metadata).toEqual({
      version: 1,
      occurredAt: '2026-11-04T21:12:01.482Z',
      eventId: `${REFERRAL_ID}:created`,
    });
  });
});
