import { z } from 'zod';
import { IsoDateSchema } from '../domain/minnesota-time';

/** A scheduled job's payload: nothing (today in Minnesota) or a date, for backfills and demos. */
export const JobInputSchema = z.object({ date: IsoDateSchema.optional() }).loose();

/**
 * Prefixes of the reports bucket for returned sheets: uploads (returned/), raw inbound mail as SES
 * receiving stores it (inbound/), and the attachments mail-intake takes out of it (received/).
 */
export const RETURN_PREFIXES = { upload: 'returned/', email: 'inbound/', mailAttachment: 'received/' } as const;

/** S3's "Object Created" event as EventBridge delivers it (the fields used here). */
export const ObjectCreatedSchema = z.object({
  'detail-type': z.literal('Object Created'),
  time: z.string(),
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({
      key: z.string().min(1),
      /** Set on a versioned bucket: a re-upload to the same key is a new version. */
      'version-id': z.string().min(1).optional(),
      /** Orders the events of one key; the same in every delivery of one event. */
      sequencer: z.string().min(1).optional(),
    }),
  }),
});
