import { adminKeyMatches } from '../../infra/local/admin-key';

/*
 * The local admin key check. Its point is constant time (crypto.timingSafeEqual on digests), which a
 * test on a shared machine cannot measure without depending on timing; this checks what it accepts.
 */
describe('the local admin key check', () => {
  const key = 'k'.repeat(43);

  it('accepts the key', () => {
    expect(adminKeyMatches(key, key)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a prefix of the key', key.slice(0, 20)],
    ['the key and more', `${key}x`],
    ['one character changed', `${key.slice(0, -1)}j`],
  ])('refuses %s', (_label, given) => {
    expect(adminKeyMatches(given, key)).toBe(false);
  });

  it('refuses everything when no key is set', () => {
    expect(adminKeyMatches('', '')).toBe(false);
  });
});
