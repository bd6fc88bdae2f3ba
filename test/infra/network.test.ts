import type { PalSynth } from './support/pal-app';
import { synthPal } from './support/pal-app';
import { flat, resourcesOfType } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

describe('Network', () => {
  test('isolated subnets only: no internet gateway, no NAT, no public subnet', () => {
    for (const type of [
      'AWS::EC2::InternetGateway',
      'AWS::EC2::NatGateway',
      'AWS::EC2::EIP',
      'AWS::EC2::VPCGatewayAttachment',
    ]) {
      expect([type, resourcesOfType(synth, type)]).toEqual([type, []]);
    }
    const subnets = resourcesOfType(synth, 'AWS::EC2::Subnet').map(([, p]) => p);
    expect(subnets).toHaveLength(2);
    for (const s of subnets) expect(s.MapPublicIpOnLaunch).toBe(false);
    const routes = resourcesOfType(synth, 'AWS::EC2::Route');
    expect(routes).toEqual([]);
  });

  test('reaches AWS through endpoints: S3 and DynamoDB (gateway, this account only) and the APIs the functions call', () => {
    const endpoints = resourcesOfType(synth, 'AWS::EC2::VPCEndpoint').map(([, p]) => p);
    const services = endpoints.map((e) => flat(e.ServiceName).replace(/^.*\.(?=[a-z0-9]+$)/, '')).sort();
    // No SES endpoint: the functions that send email run outside the VPC (function-placement.ts).
    expect(services).toEqual(['dynamodb', 'events', 's3', 'secretsmanager', 'xray']);
    for (const gateway of endpoints.filter((e) => e.VpcEndpointType === 'Gateway')) {
      expect(gateway.PolicyDocument).toMatchObject({
        Statement: [
          { Effect: 'Allow', Condition: { StringEquals: { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } } } },
        ],
      });
    }
    for (const iface of endpoints.filter((e) => e.VpcEndpointType === 'Interface')) {
      expect(iface.PrivateDnsEnabled).toBe(true);
    }
  });

  test('the functions may only speak HTTPS out; the endpoints only hear it from the functions', () => {
    const functionsSg = synth.resources[synth.idOf(synth.stack.network.functionsSecurityGroup)]!.Properties!;
    expect(functionsSg.SecurityGroupEgress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }),
    ]);
    expect(functionsSg.SecurityGroupIngress).toBeUndefined();
    const [[, ingress]] = resourcesOfType(synth, 'AWS::EC2::SecurityGroupIngress') as [
      [string, Record<string, unknown>],
    ];
    expect(ingress).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    expect(flat(ingress.SourceSecurityGroupId)).toBe(
      `<${synth.idOf(synth.stack.network.functionsSecurityGroup)}.GroupId>`,
    );
  });

  test('all traffic is recorded in flow logs (to the log archive) and the default security group is closed', () => {
    synth.template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 's3',
    });
    const [[, flowLog]] = resourcesOfType(synth, 'AWS::EC2::FlowLog') as [[string, { LogDestination: unknown }]];
    expect(flat(flowLog.LogDestination)).toBe(`<${synth.idOf(synth.stack.logArchive.bucket)}.Arn>/vpc-flow-logs/`);
    expect(resourcesOfType(synth, 'Custom::VpcRestrictDefaultSG')).toHaveLength(1);
  });
});
