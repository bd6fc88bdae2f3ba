import { CfnOutput, Stack, Tags, aws_logs as logs } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { FunctionBundles } from '../../scripts/bundle-functions';
import type { DeployConfig } from './config';
import { ApiGatewayAccount } from './constructs/api-gateway-account.construct';
import { AppSecrets } from './constructs/app-secrets.construct';
import { DataBackup } from './constructs/data-backup.construct';
import { DataTables } from './constructs/data-tables.construct';
import { Email } from './constructs/email.construct';
import { Encryption } from './constructs/encryption.construct';
import { EventTriggers } from './constructs/event-triggers.construct';
import { IntakeApi } from './constructs/intake-api.construct';
import { LogArchive } from './constructs/log-archive.construct';
import { Monitoring } from './constructs/monitoring.construct';
import { pascal } from './constructs/names';
import { Network } from './constructs/network.construct';
import { PalFunctions } from './constructs/pal-functions.construct';
import { ReferralEventBus } from './constructs/referral-event-bus.construct';
import { PublicLinksApi } from './constructs/public-links-api.construct';
import { REPORT_PREFIXES, ReportsBucket } from './constructs/reports-bucket.construct';

export interface PalStackProps extends StackProps {
  readonly config: DeployConfig;
  /** The functions' prebuilt bundles (scripts/bundle-functions.ts), built with config.calendarPath. */
  readonly bundles: FunctionBundles;
}

/** Powertools metrics namespace of every function (shared/config.ts's default). */
export const METRICS_NAMESPACE = 'PalReferrals';

/** The PAL referrals back end on AWS: one stack per environment. */
export class PalStack extends Stack {
  public readonly encryption: Encryption;
  public readonly logArchive: LogArchive;
  public readonly network: Network;
  public readonly data: DataTables;
  public readonly backup: DataBackup;
  public readonly reports: ReportsBucket;
  public readonly events: ReferralEventBus;
  public readonly email: Email;
  public readonly secrets: AppSecrets;
  public readonly functions: PalFunctions;
  public readonly intakeApi: IntakeApi;
  public readonly linksApi: PublicLinksApi;
  public readonly triggers: EventTriggers;
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: PalStackProps) {
    super(scope, id, props);
    const c = props.config;
    const environment = c.environment;
    const logRetention = retentionOf(c.logRetentionDays);
    Tags.of(this).add('project', 'pal-referrals');
    Tags.of(this).add('environment', environment);
    Tags.of(this).add('data-classification', 'pii');

    this.encryption = new Encryption(this, 'Encryption', { environment });
    const { dataKey, logsKey, messagingKey } = this.encryption;
    this.logArchive = new LogArchive(this, 'LogArchive', { retentionDays: c.accessLogRetentionDays });
    this.network = new Network(this, 'Network', {
      flowLogsBucket: this.logArchive.bucket,
      flowLogsPrefix: LogArchive.FLOW_LOGS_PREFIX,
    });

    this.data = new DataTables(this, 'Data', { key: dataKey });
    this.backup = new DataBackup(this, 'Backup', {
      environment,
      tables: this.data.all.map(([, table]) => table),
      key: dataKey,
      retentionDays: c.backupRetentionDays,
    });
    this.reports = new ReportsBucket(this, 'Reports', {
      environment,
      key: dataKey,
      accessLogsBucket: this.logArchive.bucket,
      accessLogsPrefix: LogArchive.ACCESS_LOGS_PREFIX,
      retentionDays: c.reportRetentionDays,
    });
    this.events = new ReferralEventBus(this, 'Events', {
      environment,
      archiveRetentionDays: c.eventArchiveRetentionDays,
    });
    this.email = new Email(this, 'Email', {
      environment,
      domain: c.sesDomain,
      inboundAddress: c.inboundAddress,
      inboundBucket: this.reports.bucket,
      inboundPrefix: REPORT_PREFIXES.inbound,
    });
    this.encryption.allowSesToStoreMailIn(this.reports.arnWithoutReference);
    this.secrets = new AppSecrets(this, 'Secrets', { environment, key: dataKey });

    this.functions = new PalFunctions(this, 'Functions', {
      bundles: props.bundles,
      defaults: {
        vpc: this.network.vpc,
        subnets: this.network.functionSubnets,
        securityGroup: this.network.functionsSecurityGroup,
        logsKey,
        logRetention,
        metricsNamespace: METRICS_NAMESPACE,
        reserveConcurrency: c.reservedConcurrency,
      },
      tables: this.data,
      reports: this.reports,
      events: this.events,
      email: this.email,
      secrets: this.secrets,
      leadSender: c.leadSender,
      reportSender: c.reportSender,
      programContact: c.programContact,
      inboundAddress: c.inboundAddress,
    });
    const fns = this.functions.functions;

    const apiGatewayAccount = new ApiGatewayAccount(this, 'ApiGatewayAccount');
    this.intakeApi = new IntakeApi(this, 'IntakeApi', {
      environment,
      handler: fns['intake-api'],
      adminHandler: fns['admin-api'],
      apiGatewayAccount,
      logsKey,
      logRetention,
      ...(c.crmPrincipalArn && { crmPrincipalArn: c.crmPrincipalArn }),
      ...(c.crmSourceCidrs && { crmSourceCidrs: c.crmSourceCidrs }),
    });
    this.linksApi = new PublicLinksApi(this, 'LinksApi', {
      environment,
      reportLinks: fns['report-links'],
      leadPage: fns['lead-page'],
      contactConfirm: fns['contact-confirm'],
      apiGatewayAccount,
      logsKey,
      logRetention,
      ...(c.reportLinksDomain &&
        c.reportLinksCertificateArn && {
          customDomain: { domainName: c.reportLinksDomain, certificateArn: c.reportLinksCertificateArn },
        }),
    });
    this.functions.setPublicApiUrl(this.linksApi.publicUrl);

    this.triggers = new EventTriggers(this, 'Triggers', {
      environment,
      bus: this.events.bus,
      reportsBucket: this.reports.bucket,
      functions: fns,
      configurationSetName: this.email.configurationSet.configurationSetName,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      environment,
      opsEmail: c.opsEmail,
      messagingKey,
      metricsNamespace: METRICS_NAMESPACE,
      functions: Object.values(fns),
      routeReferral: fns['route-referral'],
      intakeApi: this.intakeApi.restApi.api,
      linksApi: this.linksApi.restApi.api,
      configurationSetName: this.email.configurationSet.configurationSetName,
    });

    // What ops' tools (the pal CLI on AWS reads a function's environment) and the runbook need.
    for (const [role, table] of this.data.all) {
      new CfnOutput(this, `${pascal(role)}TableName`, { value: table.tableName });
    }
    new CfnOutput(this, 'ReportsBucketName', { value: this.reports.bucket.bucketName });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName });
    new CfnOutput(this, 'OpsTopicArn', { value: this.monitoring.opsTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}

/** CloudWatch Logs accepts only certain retention periods: the configured days, rounded up to one. */
export function retentionOf(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((v): v is number => typeof v === 'number' && v > 0 && v !== logs.RetentionDays.INFINITE)
    .sort((a, b) => a - b);
  const chosen = allowed.find((v) => v >= days);
  if (chosen === undefined) throw new Error(`No CloudWatch Logs retention of ${days} days or more`);
  return chosen as logs.RetentionDays;
}
