/**
 * The synthesized template as IAM would see it once deployed: every reference resolved to the name
 * or ARN CloudFormation would give it, in a fixed fake account and region (no AWS needed). Names
 * CloudFormation would generate are the logical id; secrets get AWS's random suffix as `-AbCdEf`.
 */
export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}
export type Policy = { Version?: string; Statement: Record<string, unknown>[] };

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': PARTITION,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'PalReferrals-test',
  'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/PalReferrals-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
  'AWS::NoValue': '',
};

/** The property holding each type's physical name, where the template may set it. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SES::ConfigurationSet': 'Name',
  'AWS::SES::ReceiptRuleSet': 'RuleSetName',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ApiGateway::Stage': 'StageName',
};

export class TemplateModel {
  public readonly resources: Record<string, CfnResource>;

  constructor(template: { Resources: Record<string, CfnResource> }) {
    this.resources = template.Resources;
  }

  ofType(type: string): [string, CfnResource][] {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  /** The physical name of a resource (its name property, or the logical id CloudFormation would derive one from). */
  nameOf(id: string): string {
    const r = this.must(id);
    const prop = NAME_PROPERTY[r.Type];
    const given = prop ? r.Properties?.[prop] : undefined;
    if (r.Type === 'AWS::SES::ReceiptRule') {
      const rule = (r.Properties?.Rule ?? {}) as Record<string, unknown>;
      return rule.Name !== undefined ? String(this.resolve(rule.Name)) : id;
    }
    return given !== undefined ? String(this.resolve(given)) : id;
  }

  arnOf(id: string): string {
    const r = this.must(id);
    const name = this.nameOf(id);
    const arn = (service: string, resource: string, region = REGION, account = ACCOUNT) =>
      `arn:${PARTITION}:${service}:${region}:${account}:${resource}`;
    switch (r.Type) {
      case 'AWS::DynamoDB::Table':
        return arn('dynamodb', `table/${name}`);
      case 'AWS::S3::Bucket':
        return `arn:${PARTITION}:s3:::${name}`;
      case 'AWS::KMS::Key':
        return arn('kms', `key/${id}`);
      case 'AWS::SQS::Queue':
        return arn('sqs', name);
      case 'AWS::SNS::Topic':
        return arn('sns', name);
      case 'AWS::Events::EventBus':
        return arn('events', `event-bus/${name}`);
      case 'AWS::Events::Rule': {
        const bus = r.Properties?.EventBusName;
        const busName = bus === undefined ? 'default' : String(this.resolve(bus));
        return arn('events', busName === 'default' ? `rule/${name}` : `rule/${busName}/${name}`);
      }
      case 'AWS::Lambda::Function':
        return arn('lambda', `function:${name}`);
      case 'AWS::IAM::Role':
        return `arn:${PARTITION}:iam::${ACCOUNT}:role/${name}`;
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', `secret:${name}-AbCdEf`);
      case 'AWS::Scheduler::Schedule':
        return arn('scheduler', `schedule/${String(this.resolve(r.Properties?.GroupName ?? 'default'))}/${name}`);
      case 'AWS::Scheduler::ScheduleGroup':
        return arn('scheduler', `schedule-group/${name}`);
      case 'AWS::Logs::LogGroup':
        return arn('logs', `log-group:${name}:*`);
      case 'AWS::CloudWatch::Alarm':
        return arn('cloudwatch', `alarm:${String(this.resolve(r.Properties?.AlarmName ?? id))}`);
      default:
        throw new Error(`template-model.ts cannot give the ARN of a ${r.Type} (${id}): add it`);
    }
  }

  /** What `Ref` returns for each type (CloudFormation's documented return values). */
  private refOf(id: string): string {
    const r = this.must(id);
    switch (r.Type) {
      case 'AWS::SNS::Topic':
      case 'AWS::SecretsManager::Secret':
      case 'AWS::IAM::ManagedPolicy':
        return this.arnOf(id);
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${this.nameOf(id)}`;
      case 'AWS::KMS::Key':
        return id;
      default:
        return this.nameOf(id);
    }
  }

  private getAtt(id: string, attribute: string): string {
    const r = this.must(id);
    if (attribute === 'Arn') return this.arnOf(id);
    if (r.Type === 'AWS::SQS::Queue' && attribute === 'QueueName') return this.nameOf(id);
    if (r.Type === 'AWS::Events::EventBus' && attribute === 'Name') return this.nameOf(id);
    if (r.Type === 'AWS::ApiGateway::RestApi' && attribute === 'RootResourceId') return `${id}Root`;
    return `${id}.${attribute}`;
  }

  /** A template value with every intrinsic function resolved. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const v = value as Record<string, unknown>;
    const [fn] = Object.keys(v);
    if (Object.keys(v).length === 1 && fn !== undefined) {
      const arg = v[fn];
      if (fn === 'Ref') return PSEUDO[arg as string] ?? this.refOf(arg as string);
      if (fn === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return this.getAtt(id!, attribute!);
      }
      if (fn === 'Fn::Join') {
        const [delimiter, parts] = arg as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).join(delimiter);
      }
      if (fn === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in vars) return String(this.resolve(vars[name]));
          const [id, attribute] = name.split('.');
          return String(PSEUDO[name] ?? (attribute ? this.getAtt(id!, attribute) : this.refOf(id!)));
        });
      }
      if (fn === 'Fn::Select') {
        const [index, list] = arg as [number, unknown];
        return (this.resolve(list) as unknown[])[Number(index)];
      }
      if (fn === 'Fn::Split') {
        const [delimiter, text] = arg as [string, unknown];
        return String(this.resolve(text)).split(delimiter);
      }
      if (fn === 'Fn::GetAZs') return [`${REGION}a`, `${REGION}b`];
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.resolve(x)]));
  }

  /** The logical id a `{Ref}` or `{Fn::GetAtt}` points at, if it is one. */
  static targetOf(value: unknown): string | undefined {
    const v = value as Record<string, unknown> | null;
    if (!v || typeof v !== 'object') return undefined;
    if (typeof v.Ref === 'string') return v.Ref;
    if (Array.isArray(v['Fn::GetAtt'])) return (v['Fn::GetAtt'] as string[])[0];
    return undefined;
  }

  must(id: string): CfnResource {
    const r = this.resources[id];
    if (!r) throw new Error(`No resource ${id} in the template`);
    return r;
  }
}
