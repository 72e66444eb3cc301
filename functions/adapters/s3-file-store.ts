import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FileStore } from '../core/ports.ts';

/** S3's smallest part but the last: parts are cut at this size. */
const PART_BYTES = 8 * 1024 * 1024;

/** Run files in S3 (encrypted by the bucket's default); downloads are presigned GET URLs. */
export class S3FileStore implements FileStore {
  private origin: Promise<string> | undefined;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: string | Uint8Array, contentType: string): Promise<number> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }),
    );
    return bytes.byteLength;
  }

  async getText(key: string): Promise<string> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return out.Body!.transformToString('utf-8');
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.ContentLength ?? 0;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  downloadUrl(
    key: string,
    options: { fileName: string; contentType: string; expiresSeconds: number },
  ): Promise<string> {
    const fileName = options.fileName.replace(/[^\w.-]/g, '_');
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentType: options.contentType,
        ResponseContentDisposition: `attachment; filename="${fileName}"`,
      }),
      { expiresIn: options.expiresSeconds },
    );
  }

  /** Presigns a URL once (no request is sent) and keeps its origin: the endpoint, path or virtual-host style. */
  downloadOrigin(): Promise<string> {
    this.origin ??= getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: 'origin' }), {
      expiresIn: 60,
    }).then((url) => new URL(url).origin);
    return this.origin;
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /**
   * Writes a stream as a multipart upload in PART_BYTES parts (a single PUT when it is
   * smaller). One part uploads while the next is being produced, so reading, checking and
   * writing overlap; at most two parts are held.
   */
  async putStream(key: string, chunks: AsyncIterable<Uint8Array>, contentType: string): Promise<number> {
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let total = 0;
    let uploadId: string | undefined;
    let inFlight: Promise<void> | undefined;
    const parts: { ETag: string; PartNumber: number }[] = [];
    const flush = async () => {
      const body = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      uploadId ??= (
        await this.s3.send(
          new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
        )
      ).UploadId!;
      await inFlight;
      const PartNumber = parts.length + 1;
      parts.push({ ETag: '', PartNumber });
      const upload = this.s3.send(
        new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber, Body: body }),
      );
      inFlight = upload.then((out) => {
        parts[PartNumber - 1]!.ETag = out.ETag!;
      });
      // A failed part fails the next flush (or the end) at once, not after the whole stream.
      inFlight.catch(() => undefined);
    };
    try {
      for await (const chunk of chunks) {
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        total += chunk.byteLength;
        if (pendingBytes >= PART_BYTES) await flush();
      }
      if (!uploadId) return await this.put(key, Buffer.concat(pending), contentType);
      if (pendingBytes > 0) await flush();
      await inFlight;
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      return total;
    } catch (error) {
      await inFlight?.catch(() => undefined);
      if (uploadId)
        await this.s3
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
          .catch(() => undefined);
      throw error;
    }
  }

  async getStream(key: string) {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { bytes: out.ContentLength ?? 0, chunks: out.Body as unknown as AsyncIterable<Uint8Array> };
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  uploadUrl(key: string, options: { contentType: string; expiresSeconds: number }): Promise<string> {
    return getSignedUrl(
      this.s3,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType }),
      { expiresIn: options.expiresSeconds },
    );
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: toKey,
        CopySource: `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
      }),
    );
  }

  async deletePrefix(prefix: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const objects = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (objects.length > 0)
        await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
