import { Construct } from 'constructs';
import type { FunctionName } from '../../functions';
import { configKeysOf, constructIdOf, eventsPublishedBy, FUNCTION_NAMES, specOf } from '../../functions';
import type { TableRole } from '../../../shared/adapters/dynamo-tables';
import type { FunctionBundles } from '../../../scripts/bundle-functions';
import type { AppSecrets, SecretRole } from './app-secrets.construct';
import { SECRET_ENV } from './app-secrets.construct';
import type { DataTables, TableAccess } from './data-tables.construct';
import { TABLE_ENV } from './data-tables.construct';
import type { Email } from './email.construct';
import type { FunctionDefaults } from './pal-function.construct';
import { PalFunction } from './pal-function.construct';
import type { ReferralEventBus } from './referral-event-bus.construct';
import type { ReportsBucket } from './reports-bucket.construct';

export interface PalFunctionsProps {
  readonly bundles: FunctionBundles;
  readonly defaults: FunctionDefaults;
  readonly tables: DataTables;
  readonly reports: ReportsBucket;
  readonly events: ReferralEventBus;
  readonly email: Email;
  readonly secrets: AppSecrets;
  readonly leadSender: string;
  readonly reportSender: string;
  readonly programContact: string;
  readonly inboundAddress: string;
}

/**
 * Every function of the manifest (infra/functions.ts), each with its configuration and its
 * permissions granted together, and only for what the manifest says it touches:
 * - its environment is what its configuration schema reads and this stack provides (a table its
 *   schema names but it never touches is passed by name, with no permission);
 * - tables, bucket prefixes and senders from its `touches`;
 * - the secrets its schema names (the ARN, and read on that secret only);
 * - publishing, on the PAL bus, of only the events the catalog names it the producer of.
 */
export class PalFunctions extends Construct {
  public readonly functions: Readonly<Record<FunctionName, PalFunction>>;
  private readonly props: PalFunctionsProps;

  constructor(scope: Construct, id: string, props: PalFunctionsProps) {
    super(scope, id);
    this.props = props;
    const functions = {} as Record<FunctionName, PalFunction>;
    for (const name of FUNCTION_NAMES) {
      const fn = new PalFunction(this, constructIdOf(name), {
        name,
        bundle: props.bundles[name],
        defaults: props.defaults,
      });
      this.configure(fn);
      functions[name] = fn;
    }
    this.functions = functions;
  }

  /** The links' base URL (the public links API), known once that API exists: to every schema that reads it. */
  public setPublicApiUrl(url: string): void {
    for (const name of FUNCTION_NAMES) {
      if (configKeysOf(name).includes('PUBLIC_API_URL')) this.functions[name].addEnvironment('PUBLIC_API_URL', url);
    }
  }

  private configure(fn: PalFunction): void {
    const p = this.props;
    const touches = specOf(fn.name).touches;
    const keys = new Set(configKeysOf(fn.name));
    const provided: Record<string, () => string> = {
      REPORTS_BUCKET: () => p.reports.bucket.bucketName,
      EVENT_BUS_NAME: () => p.events.bus.eventBusName,
      LEAD_SENDER: () => p.leadSender,
      REPORT_SENDER: () => p.reportSender,
      PROGRAM_CONTACT: () => p.programContact,
      INBOUND_ADDRESS: () => p.inboundAddress,
      // On AWS, SES writes its verdicts on inbound mail: without DMARC or aligned DKIM, a From is not believed.
      REQUIRE_SENDER_AUTHENTICATION: () => 'true',
    };
    for (const [role, variable] of Object.entries(TABLE_ENV) as [TableRole, string][]) {
      if (keys.has(variable)) fn.addEnvironment(variable, p.tables.tables[role].tableName);
    }
    for (const [variable, value] of Object.entries(provided)) {
      if (keys.has(variable)) fn.addEnvironment(variable, value());
    }
    for (const [role, access] of Object.entries(touches.tables) as [TableRole, TableAccess][]) {
      p.tables.grant(fn.role, role, access);
    }
    if (eventsPublishedBy(fn.name).length > 0) p.events.allowPublishing(fn);
    const senders = { lead: p.leadSender, report: p.reportSender };
    if (touches.sendsFrom?.length)
      p.email.allowSending(
        fn,
        touches.sendsFrom.map((s) => senders[s]),
      );
    for (const [role, variable] of Object.entries(SECRET_ENV) as [SecretRole, string][]) {
      if (keys.has(variable.replace(/_ARN$/, ''))) p.secrets.bind(fn, role);
    }
    for (const prefix of touches.bucket?.reads ?? []) p.reports.grantReadObjects(fn.role, prefix);
    for (const prefix of touches.bucket?.writes ?? []) p.reports.grantWriteObjects(fn.role, prefix);
  }
}
