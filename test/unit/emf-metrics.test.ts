import { EmfOpsMetrics } from '../../shared/adapters/emf-metrics.adapter';

/* CloudWatch cannot run here: what is checked is the embedded-metric-format line Lambda would ship to it. */
describe('the OverdueReports metric', () => {
  it('is written as one EMF line with the count, in the namespace, by service', () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      new EmfOpsMetrics('PalReferrals', 'report-due').overdueReports(3);
    } finally {
      write.mockRestore();
    }

    const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => '_aws' in l);
    expect(emf).toMatchObject({
      OverdueReports: 3,
      service: 'report-due',
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'PalReferrals', Metrics: [{ Name: 'OverdueReports', Unit: 'Count' }] }],
      },
    });
  });
});
