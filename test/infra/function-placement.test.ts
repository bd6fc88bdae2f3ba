import { SENDS_EMAIL } from '../../infra/aws/constructs/function-placement';
import { FUNCTION_NAMES } from '../../scripts/bundle-functions';
import type { PalSynth } from './support/pal-app';
import { synthPal } from './support/pal-app';
import { grantsOfRole } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

/*
 * SES from the isolated VPC would rest on an assumption AWS's documentation does not back (that
 * the `email` interface endpoint serves SES's v1 API in every AZ the subnets use), so whatever
 * sends email runs on Lambda's own network, and everything else stays in the isolated subnets.
 */
describe('where the functions run', () => {
  test('exactly the functions whose role may send email run outside the VPC; the rest inside', () => {
    const placement = FUNCTION_NAMES.map((name) => {
      const fn = synth.stack.functions.functions[name];
      const sends = grantsOfRole(synth, synth.idOf(fn.role)).some((g) => g.startsWith('ses:SendEmail on'));
      const inVpc = synth.resources[synth.idOf(fn.function)]!.Properties!.VpcConfig !== undefined;
      return { name, sends, inVpc };
    });
    expect(placement.filter((p) => p.sends === p.inVpc)).toEqual([]);
    expect(
      placement
        .filter((p) => p.sends)
        .map((p) => p.name)
        .sort(),
    ).toEqual([...SENDS_EMAIL].sort());
  });

  test('no SES interface endpoint is paid for that nothing uses', () => {
    const services = Object.values(synth.resources)
      .filter((r) => r.Type === 'AWS::EC2::VPCEndpoint')
      .map((r) => JSON.stringify(r.Properties!.ServiceName));
    expect(services.filter((s) => /\.email(-smtp)?"/.test(s))).toEqual([]);
  });
});
