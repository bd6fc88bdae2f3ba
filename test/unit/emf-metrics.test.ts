import { EmfOpsMetrics } from '../../shared/adapters/emf-metrics.adapter';

/* CloudWatch cannot run here: what is checked is the embedded-metric-format line Lambda would ship to it. */

/** The EMF line that `emit` writes to stdout. */
function emfLineOf(emit: () => void): Record<string, unknown> | undefined {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    emit();
  } finally {
    write.mockRestore();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => '_aws' in l);
}

describe('the ops metrics', () => {
  it('OverdueReports is written as one EMF line with the count, in the namespace, by service', () => {
    expect(emfLineOf(() => new EmfOpsMetrics('PalReferrals', 'report-due').overdueReports(3))).toMatchObject({
      OverdueReports: 3,
      service: 'report-due',
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'PalReferrals', Metrics: [{ Name: 'OverdueReports', Unit: 'Count' }] }],
      },
    });
  });

  it('UnconfirmedContacts is written as one EMF line with the count, in the namespace, by service', () => {
    expect(
      emfLineOf(() => new EmfOpsMetrics('PalReferrals', 'contact-confirmations').unconfirmedContacts(4)),
    ).toMatchObject({
      UnconfirmedContacts: 4,
      service: 'contact-confirmations',
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'PalReferrals', Metrics: [{ Name: 'UnconfirmedContacts', Unit: 'Count' }] }],
      },
    });
  });

  it('InboundMailRefused is written as one EMF line per refused email, with its reason as a dimension', () => {
    expect(
      emfLineOf(() => new EmfOpsMetrics('PalReferrals', 'mail-intake').inboundMailRefused('unknown-sender')),
    ).toMatchObject({
      InboundMailRefused: 1,
      reason: 'unknown-sender',
      service: 'mail-intake',
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'PalReferrals',
            Dimensions: [expect.arrayContaining(['service', 'reason'])],
            Metrics: [{ Name: 'InboundMailRefused', Unit: 'Count' }],
          },
        ],
      },
    });
  });
});
