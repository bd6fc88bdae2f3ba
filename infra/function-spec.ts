/**
 * The shape of an entry of the function manifest (infra/functions.ts), and the helpers entries are
 * written with. docs/function-manifest.md explains each field.
 */
import type { z } from 'zod';
import type { TableRole } from '../shared/adapters/dynamo-tables';
import type { Wiring } from '../shared/wiring/wiring';
import type { TableAccess } from './aws/constructs/data-tables.construct';
import type { ReportPrefix } from './aws/constructs/reports-bucket.construct';

/** What starts a function. API routes are served by the API constructs; the rest are EventBridge/Scheduler. */
export type Trigger =
  /** API Gateway (sync). `localPath`: the path prefix the local stack's router sends to it. */
  | {
      readonly kind: 'api';
      readonly api: 'intake' | 'links';
      readonly routes: readonly string[];
      readonly localPath: string;
    }
  /** A PAL event on the PAL bus (the rule's name, kebab-case; its construct id is the same in PascalCase). */
  | { readonly kind: 'event'; readonly rule: string; readonly description: string; readonly detailType: string }
  /** S3 `Object Created` in the reports bucket under one of the prefixes (default bus). */
  | {
      readonly kind: 'object-created';
      readonly rule: string;
      readonly description: string;
      readonly prefixes: readonly string[];
    }
  /** SES bounces and complaints of the configuration set (default bus). */
  | { readonly kind: 'ses-feedback'; readonly rule: string; readonly description: string }
  /** EventBridge Scheduler, America/Chicago: every so many minutes, or daily at a Minnesota wall-clock time. */
  | {
      readonly kind: 'schedule';
      readonly schedule: ScheduleKey;
      readonly description: string;
      readonly at: { readonly everyMinutes: number } | { readonly daily: `${number}:${number}` };
      /** Delivery: attempts and the age after which Scheduler gives up (then the dead-letter queue). */
      readonly retryAttempts: number;
      readonly maxEventAgeMinutes: number;
    };

export type ScheduleKey = 'sweep' | 'contactConfirmations' | 'reportSend' | 'reportDue';

/** What a function may touch beyond its configuration: each becomes a grant, nothing more. */
export interface Touches {
  /** r = read, rw = read/write, append = PutItem only, readAppend = read + PutItem. */
  readonly tables: Partial<Record<TableRole, TableAccess>>;
  /** Prefixes of the reports bucket it reads or writes objects under. */
  readonly bucket?: { readonly reads?: readonly ReportPrefix[]; readonly writes?: readonly ReportPrefix[] };
  /** The verified senders it may send from (SES FromAddress); a function that sends runs outside the VPC. */
  readonly sendsFrom?: readonly ('lead' | 'report')[];
}

/** A bundle's budget (scripts/check-bundles.ts): minified bytes of index.mjs, and packages it must not carry. */
export interface BundleBudget {
  readonly maxBytes: number;
  readonly forbidden: readonly string[];
}
export const KB = 1000;
export const MB = 1000 * KB;
/** The budgets: intake and routing ≤ 400 KB without exceljs; report and ingest ≤ 1.5 MB. */
export const LEAN: BundleBudget = { maxBytes: 400 * KB, forbidden: ['exceljs', 'mailparser'] };
export const REPORTING: BundleBudget = { maxBytes: 1.5 * MB, forbidden: [] };

export interface FunctionSpec<S extends z.ZodObject = z.ZodObject, D = never, H = unknown> {
  readonly description: string;
  /** Its configuration schema and deps builder (shared/wiring/), the same on Lambda and locally. */
  readonly wiring: Wiring<S, D>;
  /** Its handler's factory (`create…Handler(deps)` in functions/<name>/handler.ts). */
  readonly create: (deps: D) => H;
  readonly trigger: Trigger;
  /** MB. @default 512 */
  readonly memorySize?: number;
  readonly timeoutSeconds: number;
  /** Reserved (and capped) when the deployment reserves concurrency (context reservedConcurrency). */
  readonly reservedConcurrency: number;
  readonly touches: Touches;
  /** @default lean: 400 KB, neither exceljs nor mailparser (a function on a request path). */
  readonly bundle?: BundleBudget;
}

export const define = <S extends z.ZodObject, D, H>(spec: FunctionSpec<S, D, H>) => spec;
export const daily = (at: `${number}:${number}`, description: string, schedule: ScheduleKey): Trigger => ({
  kind: 'schedule',
  schedule,
  description,
  at: { daily: at },
  // Daily jobs: retried until early afternoon of the same Minnesota day, never into the next.
  retryAttempts: 20,
  maxEventAgeMinutes: 6 * 60,
});
