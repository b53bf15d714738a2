/** Publishing: the S3 sink against a real S3-protocol server, and the local-folder sink, behave alike. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterKey, fleetKey } from '../src/publish/layout.js';
import { LocalSink, S3Sink, type ReportSink } from '../src/publish/sink.js';
import { startLocalS3, type LocalS3 } from './support/s3-server.js';

const target = { accountId: '111122223333', region: 'eu-west-2', clusterName: 'example' };
let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3(['reports']);
});
afterAll(async () => s3?.close());

const sinks: Array<[string, () => ReportSink]> = [
  ['S3 (s3rver)', () => new S3Sink(s3.client, 'reports', 'calico-audit/')],
  ['local folder', () => new LocalSink(mkdtempSync(path.join(tmpdir(), 'sink-')))],
];

describe.each(sinks)('%s sink', (_name, make) => {
  it('writes, reads back, lists under a prefix and copies', async () => {
    const sink = make();
    await sink.write(clusterKey('run-1', target, 'report.md'), '# report');
    await sink.write(clusterKey('run-1', target, 'report.json'), '{"a":1}');
    await sink.write(fleetKey('run-1', 'index.json'), '{}');
    expect(Buffer.from((await sink.read(clusterKey('run-1', target, 'report.md')))!).toString()).toBe('# report');
    expect(await sink.read('runs/none/report.md')).toBeNull();
    expect(await sink.list('runs/run-1/clusters/')).toEqual([
      'runs/run-1/clusters/111122223333/eu-west-2/example/report.json',
      'runs/run-1/clusters/111122223333/eu-west-2/example/report.md',
    ]);
    await sink.copy(fleetKey('run-1', 'index.json'), 'latest/fleet/index.json');
    expect(Buffer.from((await sink.read('latest/fleet/index.json'))!).toString()).toBe('{}');
  });

  it('overwrites the same key when a run is repeated', async () => {
    const sink = make();
    const key = fleetKey('run-2', 'index.md');
    await sink.write(key, 'first');
    await sink.write(key, 'second');
    expect(Buffer.from((await sink.read(key))!).toString()).toBe('second');
    expect(await sink.list('runs/run-2/')).toEqual([key]);
  });
});

describe('S3 sink', () => {
  it('stores objects under the prefix with their content type and server-side encryption', async () => {
    const sink = new S3Sink(s3.client, 'reports', 'calico-audit/');
    await sink.write(clusterKey('run-3', target, 'report.html'), '<!doctype html>');
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: 'reports', Key: 'calico-audit/runs/run-3/clusters/111122223333/eu-west-2/example/report.html' }),
    );
    expect(head.ContentType).toBe('text/html; charset=utf-8');
    expect(sink.locate('latest/x')).toBe('s3://reports/calico-audit/latest/x');
    const link = await sink.link(clusterKey('run-3', target, 'report.html'), 600);
    expect(link).toContain('X-Amz-Expires=600');
    expect((await fetch(link)).status).toBe(200);
  });
});

describe('local sink', () => {
  it('refuses keys that would leave its folder', async () => {
    await expect(new LocalSink(mkdtempSync(path.join(tmpdir(), 'sink-'))).write('../escape', 'x')).rejects.toThrow(/leaves/);
  });
});
