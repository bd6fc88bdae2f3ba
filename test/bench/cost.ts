/**
 * What the system costs on AWS at list prices (prices.ts), from the bench's measurements: per referral (intake →
 * lead email) and per season, reports included. Pure arithmetic, so the README's table is exactly results.json's.
 */
import { PRICES } from './prices';

export interface PerReferralUse {
  intakeMs: number;
  routeMs: number;
  readUnits: number;
  writeUnits: number;
  events: number;
  emails: number;
}

export interface CostInputs {
  perReferral: PerReferralUse;
  memoryMb: { intake: number; route: number; reportSend: number; reportIngest: number };
  /** Seconds per row of building a report and of reading a returned one (the 50,000-row figures). */
  reportSecondsPerRow: number;
  ingestSecondsPerRow: number;
  /** Bytes per row of a returned sheet. */
  sheetBytesPerRow: number;
  organizations: number;
  windowsPerSeason: number;
}

export interface CostLine {
  what: string;
  perReferralUsd: number;
}

const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);

/** Cost per referral, line by line; the report lines are a season's report work divided by its referrals. */
export function costPerReferral(inputs: CostInputs, referralsPerSeason: number): CostLine[] {
  const use = inputs.perReferral;
  const reports = inputs.organizations * inputs.windowsPerSeason;
  const perReferral = (seasonUsd: number) => seasonUsd / referralsPerSeason;
  return [
    { what: 'API Gateway (1 request)', perReferralUsd: PRICES.apiGatewayPerRequest },
    {
      what: `Lambda intake-api (1 request, ${use.intakeMs} ms at ${inputs.memoryMb.intake} MB)`,
      perReferralUsd:
        PRICES.lambdaPerRequest + gbSeconds(use.intakeMs, inputs.memoryMb.intake) * PRICES.lambdaPerGbSecond,
    },
    {
      what: `Lambda route-referral (1 request, ${use.routeMs} ms at ${inputs.memoryMb.route} MB)`,
      perReferralUsd:
        PRICES.lambdaPerRequest + gbSeconds(use.routeMs, inputs.memoryMb.route) * PRICES.lambdaPerGbSecond,
    },
    {
      what: `DynamoDB (${round(use.writeUnits)} write + ${round(use.readUnits)} read units)`,
      perReferralUsd: use.writeUnits * PRICES.dynamoPerWriteUnit + use.readUnits * PRICES.dynamoPerReadUnit,
    },
    { what: `EventBridge (${round(use.events)} events)`, perReferralUsd: use.events * PRICES.eventBridgePerEvent },
    { what: `SES (${round(use.emails)} lead email)`, perReferralUsd: use.emails * PRICES.sesPerEmail },
    {
      what: 'Reports: building and reading them back (Lambda)',
      perReferralUsd:
        gbSeconds(inputs.reportSecondsPerRow * 1000, inputs.memoryMb.reportSend) * PRICES.lambdaPerGbSecond +
        gbSeconds(inputs.ingestSecondsPerRow * 1000, inputs.memoryMb.reportIngest) * PRICES.lambdaPerGbSecond +
        perReferral(reports * 2 * PRICES.lambdaPerRequest),
    },
    {
      what: `Reports: S3 (a PUT and a GET each for ${reports} reports and their returns, a year's storage) and SES`,
      perReferralUsd:
        perReferral(reports * 2 * (PRICES.s3PerPut + PRICES.s3PerGet) + reports * PRICES.sesPerEmail) +
        ((2 * inputs.sheetBytesPerRow) / 1e9) * 12 * PRICES.s3PerGbMonth,
    },
  ];
}

export function total(lines: readonly CostLine[]): number {
  return lines.reduce((sum, line) => sum + line.perReferralUsd, 0);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
