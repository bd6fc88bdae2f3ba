import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ContactMetrics, OpsMetrics } from '../ports/metrics.port';

/** Writes CloudWatch embedded-metric-format lines to stdout, which Lambda ships to CloudWatch. */
export class EmfOpsMetrics implements OpsMetrics, ContactMetrics {
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
}
