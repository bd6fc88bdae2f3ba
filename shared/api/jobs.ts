import { z } from 'zod';
import { IsoDateSchema } from '../domain/minnesota-time';

/** A scheduled job's payload: nothing (today in Minnesota) or a date, for backfills and demos. */
export const JobInputSchema = z.object({ date: IsoDateSchema.optional() }).loose();

/** Prefixes of the reports bucket that carry returned sheets: uploads and inbound mail (SES receiving). */
export const RETURN_PREFIXES = { upload: 'returned/', email: 'inbound/' } as const;
