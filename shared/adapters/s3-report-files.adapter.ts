import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ReportFiles, StoredObject, UploadForm } from '../ports/report-files.port';

export class S3ReportFiles implements ReportFiles {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Buffer, contentType: string, metadata?: Record<string, string>): Promise<void> {
    // Encryption at rest is the bucket's default (SSE-KMS, set in the CDK app), not per request.
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ...(metadata && { Metadata: metadata }),
      }),
    );
  }

  async get(
    key: string,
    maxBytes: number,
  ): Promise<StoredObject | { tooLarge: number; metadata?: Record<string, string> }> {
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    const metadata = head.Metadata;
    if ((head.ContentLength ?? 0) > maxBytes)
      return { tooLarge: head.ContentLength ?? 0, ...(metadata && { metadata }) };
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const bytes = await out.Body!.transformToByteArray();
    return {
      body: Buffer.from(bytes),
      ...(out.LastModified && { lastModified: out.LastModified }),
      ...(metadata && { metadata }),
    };
  }

  async downloadUrl(key: string, fileName: string, ttlSeconds: number): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`,
      }),
      { expiresIn: ttlSeconds },
    );
  }

  async uploadForm(key: string, maxBytes: number, redirectUrl: string, ttlSeconds: number): Promise<UploadForm> {
    const post = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: key,
      Conditions: [
        ['content-length-range', 1, maxBytes],
        ['eq', '$success_action_redirect', redirectUrl],
      ],
      Fields: { success_action_redirect: redirectUrl },
      Expires: ttlSeconds,
    });
    return { url: post.url, fields: post.fields };
  }
}
