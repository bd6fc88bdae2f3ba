import type { BatchGetCommandOutput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { RetryLaterError } from '../domain/errors';

/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_MAX_KEYS = 100;

export interface BatchRetry {
  /** Calls per batch before giving up (the first included). */
  readonly maxAttempts: number;
  /** Backoff cap: full jitter under min(capMs, baseMs × 2^attempt). */
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BATCH_RETRY: BatchRetry = { maxAttempts: 8, baseMs: 25, capMs: 1000 };

/**
 * Every item of `keys` that exists, read with BatchGetItem. DynamoDB may answer part of a batch as
 * UnprocessedKeys (throttling, 16 MB of answer): those are asked again with full-jitter backoff, and
 * after `maxAttempts` the read fails with RetryLaterError rather than return an answer with holes,
 * which a caller would take for "no such item" (a repeat consumer routed as new, a referral missing).
 */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: { consistentRead: boolean; retry?: BatchRetry },
): Promise<Record<string, unknown>[]> {
  const retry = options.retry ?? DEFAULT_BATCH_RETRY;
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX_KEYS) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + BATCH_GET_MAX_KEYS);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt >= retry.maxAttempts) {
        throw new RetryLaterError(
          `BatchGetItem on ${tableName} left ${pending.length} key(s) unprocessed after ${retry.maxAttempts} attempts`,
        );
      }
      if (attempt > 0) await sleep(Math.random() * Math.min(retry.capMs, retry.baseMs * 2 ** attempt));
      const out: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistentRead } },
        }),
      );
      found.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return found;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
