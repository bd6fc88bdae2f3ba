import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a request's x-pal-admin-key is the local admin key. Compared in constant time on SHA-256
 * digests (equal length whatever was sent), so the time an answer takes tells nothing of how much of
 * a guess was right, as `===` would, character by character.
 */
export function adminKeyMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected.length === 0) return false;
  const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
