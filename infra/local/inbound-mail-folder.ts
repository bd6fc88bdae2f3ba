import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { s3Client } from '../../shared/adapters/aws-clients';
import { S3ReportFiles } from '../../shared/adapters/s3-report-files.adapter';
import type { ReportsConfig } from '../../shared/config';

/**
 * SES receiving, locally: drop a raw email (.eml) into the folder and it is stored in the bucket's
 * inbound prefix, as an SES receipt rule would, which triggers ingest. Handled files move to done/.
 */
export class InboundMailFolder {
  private timer?: NodeJS.Timeout;
  private readonly files: S3ReportFiles;

  constructor(
    private readonly folder: string,
    config: ReportsConfig,
    credentials: LocalCredentials,
    private readonly prefix: string,
  ) {
    this.files = new S3ReportFiles(s3Client(config, credentials), config.REPORTS_BUCKET);
    mkdirSync(join(folder, 'done'), { recursive: true });
  }

  start(everyMs = 2000): void {
    this.timer = setInterval(() => void this.poll(), everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    for (const name of readdirSync(this.folder).filter((n) => n.endsWith('.eml'))) {
      const path = join(this.folder, name);
      const key = `${this.prefix}${new Date().toISOString().replace(/[-:.]/g, '')}-${name.replace(/[^\w.-]/g, '_')}`;
      await this.files.put(key, readFileSync(path), 'message/rfc822');
      renameSync(path, join(this.folder, 'done', name));
    }
  }
}
