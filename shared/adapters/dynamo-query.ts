import type { DynamoDBDocumentClient, QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';

/** Every item a query matches, page after page (a Query returns at most 1 MB at a time). */
export async function* queryItems(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<Record<string, unknown>> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const out: QueryCommandOutput = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield* out.Items ?? [];
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

/** The same, collected and mapped. */
export async function queryAll<T>(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  map: (item: Record<string, unknown>) => T,
): Promise<T[]> {
  const out: T[] = [];
  for await (const item of queryItems(doc, input)) out.push(map(item));
  return out;
}
