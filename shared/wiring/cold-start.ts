/**
 * Builds a handler's dependencies once per container, on first use (config is read then, not at
 * import, so a bad config fails the invocation with a clear error rather than the init phase).
 * A failed build (Secrets Manager unreachable…) is not cached: the next invocation tries again.
 */
export function atColdStart<T>(build: () => T | Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= Promise.resolve()
      .then(build)
      .catch((error: unknown) => {
        built = undefined;
        throw error;
      });
    return built;
  };
}
