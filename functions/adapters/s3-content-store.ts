import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { serializeDocument } from '../core/nbformat/document.ts';
import type { NbDocument } from '../core/nbformat/types.ts';
import type { ContentStore, InlineRead } from '../core/ports.ts';

/**
 * Notebook documents as .ipynb objects (server-side encrypted by the bucket's default).
 * Every content revision has its own key and is never rewritten, so documents are cached
 * by key (bounded in bytes): a hit can never be stale.
 */
export class S3ContentStore implements ContentStore {
  private readonly cache = new Map<string, string>();
  private cachedBytes = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly cacheBytes = 32 * 1024 * 1024,
  ) {}

  private remember(key: string, text: string): void {
    if (text.length > this.cacheBytes / 8) return;
    this.forget(key);
    this.cache.set(key, text);
    this.cachedBytes += text.length;
    for (const [oldest, value] of this.cache) {
      if (this.cachedBytes <= this.cacheBytes) break;
      this.cache.delete(oldest);
      this.cachedBytes -= value.length;
    }
  }

  private forget(key: string): void {
    const text = this.cache.get(key);
    if (text === undefined) return;
    this.cache.delete(key);
    this.cachedBytes -= text.length;
  }

  async put(key: string, document: NbDocument): Promise<void> {
    const text = serializeDocument(document);
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: text,
        ContentType: 'application/x-ipynb+json',
      }),
    );
    this.remember(key, text);
  }

  async get(key: string): Promise<NbDocument> {
    let text = this.cache.get(key);
    if (text === undefined) {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = await out.Body!.transformToString('utf-8');
      this.remember(key, text);
    } else {
      this.cache.delete(key);
      this.cache.set(key, text);
    }
    // A fresh object per call: callers may change the document they get.
    return JSON.parse(text) as NbDocument;
  }

  async readInline(key: string, maxBytes: number): Promise<InlineRead> {
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      const bytes = Buffer.byteLength(cached, 'utf8');
      return bytes > maxBytes ? { bytes } : { document: await this.get(key) };
    }
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const bytes = out.ContentLength ?? 0;
    if (bytes > maxBytes) {
      // Too large to answer inline: the caller links to it instead, so the body goes unread.
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return { bytes };
    }
    const text = await out.Body!.transformToString('utf-8');
    this.remember(key, text);
    return { document: JSON.parse(text) as NbDocument };
  }

  async delete(key: string): Promise<void> {
    this.forget(key);
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deletePrefix(prefix: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      for (const { Key } of objects) this.forget(Key);
      if (objects.length > 0) {
        await this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }),
        );
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
