import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ContactMetrics, InboundMailMetrics, InboundMailRefusal, OpsMetrics } from '../ports/metrics.port';

/** Writes CloudWatch embedded-metric-format lines to stdout, which Lambda ships to CloudWatch. */
export class EmfOpsMetrics implements OpsMetrics, ContactMetrics, InboundMailMetrics {
  private readonly metrics: Metrics;

  constructor(namespace: string, serviceName: string) {
    this.metrics = new Metrics({ namespace, serviceName });
  }

  overdueReports(count: number): void {
    this.metrics.addMetric('OverdueReports', MetricUnit.Count, count);
    this.metrics.publishStoredMetrics();
  }

  unconfirmedContacts(count: number): void {
    this.metrics.addMetric('UnconfirmedContacts', MetricUnit.Count, count);
    this.metrics.publishStoredMetrics();
  }

  /** One line per refused email, with the reason as a dimension (a handful of values). */
  inboundMailRefused(reason: InboundMailRefusal): void {
    const single = this.metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric('InboundMailRefused', MetricUnit.Count, 1);
  }
}
