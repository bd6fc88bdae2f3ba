import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per function (level from POWERTOOLS_LOG_LEVEL). Messages are constant;
 * ids travel as fields. Never log an event or request body: they carry consumers' names, phones, emails.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
