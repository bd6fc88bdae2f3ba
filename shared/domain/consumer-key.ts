import { createHmac } from 'node:crypto';
import type { Consumer } from './referral';

/**
 * Keys under which a consumer's earlier referrals are found: a keyed hash (HMAC-SHA256) of the
 * phone and of the email, so a repeat is recognised without keeping either in clear as a key,
 * and the keys cannot be reversed by hashing a phone book without the secret.
 */
export function consumerKeys(consumer: Pick<Consumer, 'phone' | 'email'>, secret: Buffer): string[] {
  const keys = [hmac(secret, `phone:${consumer.phone}`)];
  if (consumer.email) keys.push(hmac(secret, `email:${consumer.email.trim().toLowerCase()}`));
  return keys;
}

function hmac(secret: Buffer, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}
