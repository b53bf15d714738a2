/** Where reports are published: an S3 bucket or a local folder, behind one small interface. */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentTypeOf } from './layout.js';

export interface ReportSink {
  /** Human-readable location of a key (s3://… or a path). */
  locate(key: string): string;
  write(key: string, body: string | Uint8Array): Promise<void>;
  /** Writes only if there is no such object yet; `false` when there was one (nothing written). */
  create(key: string, body: string | Uint8Array): Promise<boolean>;
  /** `null` when there is no such object. */
  read(key: string): Promise<Uint8Array | null>;
  /** The size in bytes of an object, `null` when there is none (to verify a write landed). */
  size(key: string): Promise<number | null>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  copy(fromKey: string, toKey: string): Promise<void>;
  /** Deletes objects; a key that is already gone is not an error. */
  remove(keys: readonly string[]): Promise<void>;
  /** A link a person can open for a limited time. */
  link(key: string, expiresInSeconds: number): Promise<string>;
}

/** Pages of 1,000 keys listed at most under one prefix (10 million keys). */
const MAX_LIST_PAGES = 10_000;

/** S3: server-side encryption on every object, the right Content-Type, no ACLs (the bucket owns objects). */
export class S3Sink implements ReportSink {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix = '',
  ) {}

  locate(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  async write(key: string, body: string | Uint8Array): Promise<void> {
    await this.put(key, body);
  }

  private async put(key: string, body: string | Uint8Array, ifAbsent = false): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
        ContentType: contentTypeOf(key),
        ServerSideEncryption: 'AES256',
        // S3's conditional write: refused (412) when the key exists, so two writers cannot both create it.
        ...(ifAbsent ? { IfNoneMatch: '*' } : {}),
      }),
    );
  }

  async create(key: string, body: string | Uint8Array): Promise<boolean> {
    if ((await this.size(key)) !== null) return false;
    try {
      await this.put(key, body, true);
      return true;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412) return false;
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw error;
    }
  }

  async read(key: string): Promise<Uint8Array | null> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (!token) break;
      // Bounded like every paginated read: a token seen before, or more pages than any run has keys for, stops it.
      if (seen.has(token)) throw new Error(`listing ${this.locate(prefix)}: S3 returned a continuation token it had already returned`);
      if (pages >= MAX_LIST_PAGES) throw new Error(`listing ${this.locate(prefix)}: more than ${MAX_LIST_PAGES} pages`);
      seen.add(token);
    }
    return keys.sort();
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + toKey,
        CopySource: `${this.bucket}/${encodeURI(this.prefix + fromKey)}`,
        ContentType: contentTypeOf(toKey),
        MetadataDirective: 'REPLACE',
        ServerSideEncryption: 'AES256',
      }),
    );
  }

  async remove(keys: readonly string[]): Promise<void> {
    // DeleteObjects takes at most 1,000 keys a request, and reports failures per key, not as an error.
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000);
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((key) => ({ Key: this.prefix + key })), Quiet: true } }),
      );
      const failed = result.Errors ?? [];
      if (failed.length) throw new Error(`could not delete ${failed.length} object(s), first ${failed[0]!.Key}: ${failed[0]!.Code} ${failed[0]!.Message ?? ''}`.trim());
    }
  }

  link(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }), { expiresIn: expiresInSeconds });
  }
}

/** A local folder, for the CLI and local runs: the same keys as files. */
export class LocalSink implements ReportSink {
  constructor(private readonly root: string) {}

  private file(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (!resolved.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`key ${key} leaves ${this.root}`);
    return resolved;
  }

  locate(key: string): string {
    return this.file(key);
  }

  async write(key: string, body: string | Uint8Array): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
  }

  async create(key: string, body: string | Uint8Array): Promise<boolean> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    try {
      await writeFile(file, body, { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const info = await stat(this.file(key));
      return info.isFile() ? info.size : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async read(key: string): Promise<Uint8Array | null> {
    try {
      return await readFile(this.file(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(path.resolve(this.root), { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => path.relative(this.root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
        .filter((key) => key.startsWith(prefix))
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const body = await this.read(fromKey);
    if (body === null) throw new Error(`no such report ${fromKey}`);
    await this.write(toKey, body);
  }

  async remove(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => rm(this.file(key), { force: true })));
  }

  link(key: string): Promise<string> {
    return Promise.resolve(`file://${this.file(key)}`);
  }
}
