/** `calico-audit collect` and `calico-audit audit` against mocked AWS and a local HTTPS Kubernetes API. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { assess, type Assessment } from '../../src/assess/assess.js';
import { main } from '../../src/cli/main.js';
import type { CollectCliDeps } from '../../src/cli/collect-command.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { fakeCredentials, mockAwsFromSnapshot, testAwsClients, type AwsMock, type AwsMockOptions } from '../helpers/aws-mock.js';
import { sampleDocument } from '../helpers/fixtures.js';
import { startFakeKube, type FakeKube } from '../helpers/kube-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'calico-audit-collect-'));
const open: Array<{ kube: FakeKube; aws: AwsMock }> = [];
afterEach(async () => {
  for (const { kube, aws } of open.splice(0)) {
    aws.restore();
    await kube.close();
  }
});

const sample = sampleDocument('reference-crosssubnet');

/** Dependencies that point the CLI at the fake cluster: mocked EKS/EC2, a local Kubernetes API, a fixed clock. */
async function fakeCluster(awsOptions: AwsMockOptions = {}): Promise<CollectCliDeps> {
  const kube = await startFakeKube({ snapshot: sample });
  const clients = testAwsClients();
  const aws = mockAwsFromSnapshot(sample, clients, { endpoint: kube.url, caData: kube.caData, ...awsOptions });
  open.push({ kube, aws });
  return { collectDeps: () => ({ aws: clients, credentials: fakeCredentials }), now: () => new Date(sample.collectedAt) };
}

async function run(deps: CollectCliDeps, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(
    ['node', 'calico-audit', ...args],
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrStream: { write: () => true } as unknown as NodeJS.WritableStream },
    deps,
  );
  return { code, stdout, stderr };
}

const cluster = ['--cluster', 'reference-crosssubnet', '--region', 'eu-west-2'];

describe('calico-audit collect', () => {
  it('writes a gzipped snapshot for .gz, reports progress on stderr, and exits 0', async () => {
    const out = path.join(dir, 'nested', 'snap.json.gz');
    const { code, stdout, stderr } = await run(await fakeCluster(), 'collect', ...cluster, '--out', out);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(readFileSync(out).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const snapshot = JSON.parse(gunzipSync(readFileSync(out)).toString('utf8')) as Snapshot;
    expect(snapshot.target).toEqual(sample.target);
    expect(stderr).toContain('ok    kubernetes:pods (58)');
    expect(stderr).toContain('ok    ec2:DescribeInstances (6)');
    expect(stderr).toContain('Collected reference-crosssubnet');
    expect(stderr).toContain(`Snapshot written to ${out}`);
  });

  it('writes plain JSON otherwise, which assess reads back', async () => {
    const out = path.join(dir, 'snap.json');
    expect((await run(await fakeCluster(), 'collect', ...cluster, '--out', out)).code).toBe(0);
    const snapshot = await loadSnapshot(out);
    expect(assess(snapshot).checks.map((c) => c.status)).toEqual(assess(await loadSnapshot(path.join(dir, 'nested', 'snap.json.gz'))).checks.map((c) => c.status));
  });

  it('records failed reads in the snapshot and still exits 0', async () => {
    const out = path.join(dir, 'denied.json');
    const { code, stderr } = await run(await fakeCluster({ denied: ['DescribeSecurityGroups'] }), 'collect', ...cluster, '--out', out);
    expect(code).toBe(0);
    expect(stderr).toContain('error ec2:DescribeSecurityGroups: UnauthorizedOperation');
    expect((await loadSnapshot(out)).errors.map((e) => e.source)).toEqual(['ec2:DescribeSecurityGroups']);
  });

  it.each([
    ['--region is missing', ['--cluster', 'x', '--out', 'x.json']],
    ['--region is not a region', ['--cluster', 'x', '--region', 'London', '--out', 'x.json']],
    ['--out is missing', [...cluster]],
    ['--role-arn is not a role ARN', [...cluster, '--role-arn', 'CalicoAudit', '--out', 'x.json']],
    ['--external-id comes without --role-arn', [...cluster, '--external-id', 'abc', '--out', 'x.json']],
  ])('exits 2 when %s', async (_label, args) => {
    const { code } = await run({ collectDeps: () => { throw new Error('must not collect'); } }, 'collect', ...args);
    expect(code).toBe(2);
  });

  it('exits 4 with one line when DescribeCluster is denied, and writes nothing', async () => {
    const out = path.join(dir, 'never.json');
    const { code, stderr } = await run(await fakeCluster({ denied: ['DescribeCluster'] }), 'collect', ...cluster, '--out', out);
    expect(code).toBe(4);
    expect(stderr.trim().split('\n').at(-1)).toMatch(/^calico-audit: cannot describe EKS cluster reference-crosssubnet in eu-west-2: AccessDeniedException: /);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 when there is no such cluster in the region', async () => {
    const { code, stderr } = await run(await fakeCluster(), 'collect', '--cluster', 'nope', '--region', 'eu-west-2', '--out', path.join(dir, 'nope.json'));
    expect(code).toBe(2);
    expect(stderr).toContain('ResourceNotFoundException');
  });
});

describe('calico-audit audit', () => {
  it('collects, assesses and writes the three reports with the gzipped snapshot beside them', async () => {
    const out = path.join(dir, 'reports', 'reference-crosssubnet');
    const { code, stdout, stderr } = await run(await fakeCluster(), 'audit', ...cluster, '--out', out);
    expect(code).toBe(0);
    for (const file of ['report.json', 'report.md', 'report.html', 'snapshot.json.gz']) expect(existsSync(path.join(out, file)), file).toBe(true);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Assessment;
    const expected = assess(await loadSnapshot(path.join(out, 'snapshot.json.gz')));
    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual(expected.checks.map((c) => `${c.id}:${c.status}`));
    expect(stdout).toMatch(/^reference-crosssubnet: score \d+/);
    expect(stderr).toContain(`Reports and snapshot written to ${out}`);
  });
});
