import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface ClientSettings {
  readonly AWS_REGION: string;
  readonly AWS_ENDPOINT_URL_DYNAMODB?: string | undefined;
  readonly AWS_ENDPOINT_URL_EVENTBRIDGE?: string | undefined;
  readonly AWS_ENDPOINT_URL_SES?: string | undefined;
  readonly AWS_ENDPOINT_URL_S3?: string | undefined;
}

/** Static credentials for the local stand-ins; on AWS the SDK's default chain is used. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Every AWS client the functions build; all of them come from this file. */
export type AwsClient = DynamoDBClient | EventBridgeClient | S3Client | SESClient | SecretsManagerClient;

/**
 * Test-only: the deployment contract's recorder adds a middleware to each client built here
 * (test/infra/contract). Nothing in functions/ sets it, so a deployed function's clients carry none.
 */
let observer: ((client: AwsClient) => void) | undefined;

/** Test-only (see `observer`); `undefined` stops observing clients built from now on. */
export function observeClients(next: ((client: AwsClient) => void) | undefined): void {
  observer = next;
}

function observed<T extends AwsClient>(client: T): T {
  observer?.(client);
  return client;
}

function base(settings: ClientSettings, endpoint: string | undefined, credentials?: LocalCredentials) {
  return {
    region: settings.AWS_REGION,
    ...(endpoint && { endpoint }),
    ...(credentials && { credentials }),
  };
}

export function documentClient(settings: ClientSettings, credentials?: LocalCredentials): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    observed(new DynamoDBClient(base(settings, settings.AWS_ENDPOINT_URL_DYNAMODB, credentials))),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

export function eventBridgeClient(settings: ClientSettings, credentials?: LocalCredentials): EventBridgeClient {
  return observed(new EventBridgeClient(base(settings, settings.AWS_ENDPOINT_URL_EVENTBRIDGE, credentials)));
}

/**
 * maxAttempts 1: the mailer retries itself, only where SES proves it refused the email.
 * No keep-alive: a pooled connection the server has meanwhile closed (idle timeout, a Lambda thawed
 * after minutes) fails the next send with ECONNRESET, and a reset send cannot be proven unsent, so
 * the lead would be left in doubt for ops. A fresh connection per email costs a handshake and
 * leaves only real network failures in doubt.
 */
export function sesClient(settings: ClientSettings, credentials?: LocalCredentials): SESClient {
  return observed(
    new SESClient({
      ...base(settings, settings.AWS_ENDPOINT_URL_SES, credentials),
      maxAttempts: 1,
      requestHandler: { httpAgent: { keepAlive: false }, httpsAgent: { keepAlive: false } },
    }),
  );
}

/**
 * Path-style and checksums only when required when an endpoint is given: s3rver stores a streamed
 * upload with its chunk framing (silently corrupt) under the SDK's default checksums.
 */
export function s3Client(settings: ClientSettings, credentials?: LocalCredentials): S3Client {
  const local = settings.AWS_ENDPOINT_URL_S3 !== undefined;
  return observed(
    new S3Client({
      ...base(settings, settings.AWS_ENDPOINT_URL_S3, credentials),
      ...(local && {
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    }),
  );
}

/** Reads the functions' secrets at cold start (shared/adapters/secrets.ts); the SDK's default endpoint. */
export function secretsManagerClient(region: string | undefined): SecretsManagerClient {
  return observed(new SecretsManagerClient({ region }));
}
