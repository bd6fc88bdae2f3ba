/**
 * The few errors the use cases raise on purpose. Each trigger maps them in one place:
 * the API to a 4xx, an event handler to "throw so EventBridge retries" or "done".
 */
export class PalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Worth another try later (a claim held by another delivery, a dependency that is down). */
export class RetryLaterError extends PalError {}

/** The thing named does not exist. */
export class NotFoundError extends PalError {}

/** A request that breaks a program rule: the admin API answers 422 naming the field and the rule. */
export class RuleViolation extends PalError {
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/** Someone else changed the record between our read and our write: read again and reapply. */
export class ConcurrentUpdateError extends PalError {}

/** A change made from a copy older than the stored record (HTTP If-Match): read it again first. */
export class StaleCopyError extends PalError {}
