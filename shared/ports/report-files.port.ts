export interface UploadForm {
  readonly url: string;
  readonly fields: Record<string, string>;
}

export interface StoredObject {
  readonly body: Buffer;
  readonly lastModified?: Date;
  readonly metadata?: Record<string, string>;
}

/** The reports bucket: generated sheets out, returned sheets and inbound mail in. */
export interface ReportFiles {
  /** Stores an object; `metadata` (ASCII) travels with it, e.g. the sender of an email's attachment. */
  put(key: string, body: Buffer, contentType: string, metadata?: Record<string, string>): Promise<void>;
  /** Reads an object, refusing one larger than maxBytes without reading it whole. */
  get(key: string, maxBytes: number): Promise<StoredObject | { tooLarge: number; metadata?: Record<string, string> }>;
  /** A short-lived URL that downloads the object under the given file name. */
  downloadUrl(key: string, fileName: string, ttlSeconds: number): Promise<string>;
  /** A short-lived browser upload form (presigned POST) for exactly one key, size-capped. */
  uploadForm(key: string, maxBytes: number, redirectUrl: string, ttlSeconds: number): Promise<UploadForm>;
}
