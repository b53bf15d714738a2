/**
 * A real S3-protocol server (s3rver) on 127.0.0.1 for publishing tests, with a client pointed at it.
 * Every request is logged as it arrives and when its answer is sent (one clock for both), so tests
 * can check what headers the code sent and in what order; chosen requests can be refused (403).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface S3Request {
  /** When the request arrived, on the log's clock. */
  seq: number;
  /** When its answer was sent (undefined while in flight). */
  answeredAt?: number;
  status?: number;
  method: string;
  /** `<bucket>/<key>`, decoded (path-style addressing). */
  path: string;
  headers: {
    contentType?: string;
    serverSideEncryption?: string;
    copySource?: string;
    metadataDirective?: string;
  };
}

export interface LocalS3 {
  client: S3Client;
  endpoint: string;
  /** Every request since the server started (or since the log was last emptied). */
  requests: S3Request[];
  /** Resolves once every request logged so far has been answered (or its connection closed). */
  idle(): Promise<void>;
  /** Answers the requests `refuse` matches with 403 AccessDenied instead of serving them. */
  refuse(refuse: ((request: S3Request) => boolean) | null): void;
  close(): Promise<void>;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

interface FilesystemStore {
  putObject(object: { bucket: string; key: string }): Promise<{ size: number; md5: string }>;
  getResourcePath(bucket: string, key: string, resource: 'object'): string;
}

/**
 * S3 is read-after-write consistent; s3rver 3.7 is not quite: its filesystem store resolves a PUT
 * when its hashing stream finishes, before the file stream has flushed (lib/stores/filesystem.js,
 * `putObject`), so a HEAD just after a PUT can see a short or empty file. Wait for the file, as S3 would.
 */
function readAfterWrite(server: S3rver): void {
  const store = (server as unknown as { store: FilesystemStore }).store;
  const put = store.putObject.bind(store);
  store.putObject = async (object) => {
    const result = await put(object);
    const file = store.getResourcePath(object.bucket, object.key, 'object');
    for (let i = 0; i < 400 && (await stat(file)).size !== result.size; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    return result;
  };
}

export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
  const directory = mkdtempSync(path.join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  readAfterWrite(server);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;

  // Log (and maybe refuse) each request before s3rver's own listener serves it.
  const requests: S3Request[] = [];
  let refusing: ((request: S3Request) => boolean) | null = null;
  let clock = 0;
  const open = new Set<S3Request>();
  const http = server.httpServer!;
  const serve = http.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const request: S3Request = {
      seq: ++clock,
      method: req.method ?? 'GET',
      path: decodeURIComponent(new URL(req.url ?? '/', endpoint).pathname.slice(1)),
      headers: {
        contentType: header(req, 'content-type'),
        serverSideEncryption: header(req, 'x-amz-server-side-encryption'),
        copySource: header(req, 'x-amz-copy-source'),
        metadataDirective: header(req, 'x-amz-metadata-directive'),
      },
    };
    requests.push(request);
    open.add(request);
    res.on('finish', () => {
      request.answeredAt = ++clock;
      request.status = res.statusCode;
    });
    res.on('close', () => open.delete(request));
    if (refusing?.(request)) {
      req.resume();
      req.on('end', () => {
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      });
      return;
    }
    for (const listener of serve) listener(req, res);
  });

  const client = new S3Client({
    endpoint,
    region: 'eu-west-2',
    forcePathStyle: true,
    // s3rver accepts exactly this key pair.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    client,
    endpoint,
    requests,
    async idle() {
      while (open.size) await new Promise((resolve) => setTimeout(resolve, 5));
    },
    refuse(refuse) {
      refusing = refuse;
    },
    async close() {
      client.destroy();
      http.closeAllConnections();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
