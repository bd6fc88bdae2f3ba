import type { IsoDate } from '../domain/minnesota-time';
import { shareValue, type Share } from '../domain/performance';

/** How the performance page writes dates and shares. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 2017-11-29 → "Nov 29, 2017". */
export function dayText(date: IsoDate): string {
  return `${MONTHS[Number(date.slice(5, 7)) - 1]} ${Number(date.slice(8, 10))}, ${date.slice(0, 4)}`;
}

export function percentText(share: Share): string {
  return `${(shareValue(share) * 100).toFixed(0)}%`;
}

/** "3 of 4 (75%)", or an en dash where there were no leads. */
export function shareText(share: Share | undefined): string {
  return share === undefined ? '–' : `${share.numerator} of ${share.denominator} (${percentText(share)})`;
}
