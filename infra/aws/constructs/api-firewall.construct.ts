import { ArnFormat, Stack, aws_kms as kms, aws_logs as logs, aws_wafv2 as wafv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { tooLargeProblem } from '../../../shared/api/http/gateway-refusals';
import { KEPT } from './retention';

export interface ApiFirewallProps {
  /** Web ACL name (also its metric name). */
  readonly name: string;
  /** Requests one client IP may make in any 5 minutes before it is blocked. */
  readonly rateLimitPer5Minutes: number;
  /**
   * Largest request body allowed, in bytes: bigger is refused with 413 at the edge. Bodies are
   * inspected up to 64 KiB (the WAF limit bought for API Gateway), so this is at most 65536.
   * @default no body size rule
   */
  readonly maxBodyBytes?: number;
  /** Apply the body size rule only to request paths ending so. @default every path */
  readonly maxBodyPathSuffix?: string;
  /**
   * Run the managed rules that inspect the request body in count mode only: for an authenticated
   * caller posting free text (the CRM), a false positive would lose a referral. @default false
   */
  readonly countBodyRules?: boolean;
  /** Only these source CIDRs get through, when given. @default any source */
  readonly allowedSourceCidrs?: readonly string[];
  /** Redact the query string in the firewall logs (it carries the report links' tokens). @default false */
  readonly redactQueryString?: boolean;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** Managed rule groups of the common rule set that inspect the request body. */
const BODY_RULES = [
  'SizeRestrictions_BODY',
  'CrossSiteScripting_BODY',
  'GenericLFI_BODY',
  'GenericRFI_BODY',
  'EC2MetaDataSSRF_BODY',
] as const;

/**
 * A regional WAF web ACL for one REST API stage: AWS's common, known-bad-inputs and IP-reputation
 * rule groups, a per-IP rate limit, optional source allow-list and body size limit, and logs
 * (encrypted, credentials and tokens redacted).
 */
export class ApiFirewall extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = (
      priority: number,
      name: string,
      overrides: readonly string[] = [],
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(overrides.length > 0 && {
            ruleActionOverrides: overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
          }),
        },
      },
      visibilityConfig: visibility(name),
    });

    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    let ipSet: wafv2.CfnIPSet | undefined;
    if (props.allowedSourceCidrs && props.allowedSourceCidrs.length > 0) {
      ipSet = new wafv2.CfnIPSet(this, 'AllowedSources', {
        scope: 'REGIONAL',
        ipAddressVersion: 'IPV4',
        addresses: [...props.allowedSourceCidrs],
        description: `${props.name}: the only sources allowed`,
      });
      rules.push({
        name: 'BlockOtherSources',
        priority: 0,
        action: { block: {} },
        statement: { notStatement: { statement: { ipSetReferenceStatement: { arn: ipSet.attrArn } } } },
        visibilityConfig: visibility('BlockOtherSources'),
      });
    }
    rules.push({
      name: 'RateLimitPerIp',
      priority: 1,
      action: { block: { customResponse: { responseCode: 429 } } },
      statement: { rateBasedStatement: { limit: props.rateLimitPer5Minutes, aggregateKeyType: 'IP' } },
      visibilityConfig: visibility('RateLimitPerIp'),
    });
    if (props.maxBodyBytes !== undefined) {
      rules.push({
        name: 'BodyTooLarge',
        priority: 2,
        action: { block: { customResponse: { responseCode: 413, customResponseBodyKey: 'tooLarge' } } },
        statement: this.onPath(props.maxBodyPathSuffix, {
          sizeConstraintStatement: {
            fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
            comparisonOperator: 'GT',
            size: props.maxBodyBytes,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        }),
        visibilityConfig: visibility('BodyTooLarge'),
      });
    }
    rules.push(managed(10, 'AWSManagedRulesAmazonIpReputationList'));
    rules.push(managed(11, 'AWSManagedRulesKnownBadInputsRuleSet'));
    rules.push(managed(12, 'AWSManagedRulesCommonRuleSet', props.countBodyRules ? BODY_RULES : []));

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: visibility(props.name),
      ...(props.maxBodyBytes !== undefined && {
        associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: 'KB_64' } } },
        customResponseBodies: {
          tooLarge: {
            // The handler's problem document; WAF offers no problem+json content type, so JSON.
            contentType: 'APPLICATION_JSON',
            content: JSON.stringify(tooLargeProblem(props.maxBodyBytes)),
          },
        },
      }),
    });

    // WAF requires the log group name to start with aws-waf-logs-.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${props.name}`,
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      removalPolicy: KEPT,
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the bare log group ARN (without the ':*' of the log group's Arn attribute).
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [
        { singleHeader: { Name: 'authorization' } },
        { singleHeader: { Name: 'x-amz-security-token' } },
        ...(props.redactQueryString ? [{ queryString: {} }] : []),
      ],
    });
  }

  /** The statement, limited to request paths ending with the suffix when one is given. */
  private onPath(
    suffix: string | undefined,
    statement: wafv2.CfnWebACL.StatementProperty,
  ): wafv2.CfnWebACL.StatementProperty {
    if (suffix === undefined) return statement;
    return {
      andStatement: {
        statements: [
          statement,
          {
            byteMatchStatement: {
              fieldToMatch: { uriPath: {} },
              positionalConstraint: 'ENDS_WITH',
              searchString: suffix,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
        ],
      },
    };
  }

  /** Puts the web ACL in front of a REST API stage. */
  public protect(stageArn: string): void {
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: stageArn, webAclArn: this.webAcl.attrArn });
  }
}
