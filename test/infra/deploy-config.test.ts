import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, aws_logs as logs } from 'aws-cdk-lib';
import { loadDeployConfig } from '../../infra/aws/config';
import { retentionOf } from '../../infra/aws/pal-stack';
import { cdkJsonContext } from './support/pal-app';

const load = (overrides: Record<string, unknown>) =>
  loadDeployConfig(new App({ context: { ...cdkJsonContext(), ...overrides } }).node);

describe('deployment configuration (CDK context)', () => {
  test("cdk.json's defaults are fictional example.org values, with no account id", () => {
    const context = cdkJsonContext();
    const config = load({});
    for (const key of ['leadSender', 'reportSender', 'programContact', 'inboundAddress', 'opsEmail'] as const) {
      expect(config[key]).toMatch(/@([a-z0-9-]+\.)*example\.org$/);
    }
    expect(config.sesDomain).toMatch(/\.example\.org$/);
    expect(JSON.stringify(context)).not.toMatch(/\b\d{12}\b/);
  });

  test('every bad value is named at once', () => {
    const bad = {
      leadSender: 'leads@elsewhere.example.com',
      opsEmail: 'not-an-email',
      environment: 'Prod',
      logRetentionDays: 0,
    };
    expect(() => load(bad)).toThrow(/^Invalid CDK context: /);
    let message = '';
    try {
      load(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('leadSender: must be an address in pal.mnsure.example.org');
    for (const key of Object.keys(bad)) expect(message).toContain(`${key}: `);
  });

  test('a custom links domain needs its certificate', () => {
    expect(() => load({ reportLinksDomain: 'links.pal.mnsure.example.org' })).toThrow(
      /reportLinksDomain and reportLinksCertificateArn go together/,
    );
  });

  test('lists may be given on the command line as JSON (-c crmSourceCidrs=[...])', () => {
    expect(load({ crmSourceCidrs: '["198.51.100.0/24"]' }).crmSourceCidrs).toEqual(['198.51.100.0/24']);
  });

  test('the calendar file must be a valid reporting calendar: a bad one fails synth, not the first report run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-calendar-'));
    const file = join(dir, 'calendar.json');
    writeFileSync(file, JSON.stringify({ seasons: [{ name: 'broken', rule: { cadenceDays: 'fourteen' } }] }));
    expect(() => load({ calendarFile: file })).toThrow();
    expect(load({}).calendarPath).toMatch(/config[\\/]reporting-calendar\.json$/);
  });

  test('log retention days round up to a period CloudWatch Logs offers, and never to forever', () => {
    expect(retentionOf(365)).toBe(logs.RetentionDays.ONE_YEAR);
    expect(retentionOf(100)).toBe(logs.RetentionDays.FOUR_MONTHS);
    expect(() => retentionOf(4000)).toThrow(/No CloudWatch Logs retention/);
  });
});
