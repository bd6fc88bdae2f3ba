/** What DynamoDB throws when a write's condition does not hold (the adapters look at its name). */
export function conditionFailed(message: string): Error {
  const error = new Error(`The conditional request failed: ${message}`);
  error.name = 'ConditionalCheckFailedException';
  return error;
}
