/**
 * A fleet beyond what one state can hold (issue 13): 1,200 clusters in 24 accounts through the
 * packaged state machine and the real handlers, with the executor enforcing Step Functions' 256 KiB
 * payload quota on every state. Every cluster's DescribeCluster is denied, so each audit ends fast
 * with its reason — what is measured here is the run's plumbing, not collection: the targets and
 * the outcomes travel through S3, and the fleet page lists every cluster.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fleetSummarySchema } from '../src/fleet-summary/index.js';
import { S3Sink } from '../src/publish/sink.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { runIdAt } from '../src/target/index.js';
import { mockAwsFleet, type AwsFleetMock, type FleetMember } from './helpers/aws-fleet.js';
import { sampleText } from './helpers/fixtures.js';
import { PAYLOAD_LIMIT_BYTES, type ExecutionResult } from './support/asl/executor.js';
import { fleetMachine, lastTaskInput, loadFleetHandlers } from './support/fleet-machine.js';
import { startLocalS3, type LocalS3 } from './support/s3-server.js';
import { packageService } from './support/serverless.js';

const BUCKET = 'reports';
const REGION = 'eu-west-2';
const ACCOUNTS = Array.from({ length: 24 }, (_, i) => String(100000000000 + i * 1111));
const PER_ACCOUNT = 50;
const CLUSTERS = ACCOUNTS.length * PER_ACCOUNT;

let s3: LocalS3;
let aws: AwsFleetMock;
let bucket: S3Sink;
let execution: ExecutionResult;
let runId: string;

beforeAll(async () => {
  const template = await packageService();
  s3 = await startLocalS3([BUCKET]);
  bucket = new S3Sink(s3.client, BUCKET, '');
  // One sample, renamed per cluster (shallow copies: only the EKS cluster's name differs).
  const sample = validateSnapshot(JSON.parse(sampleText('reference-crosssubnet')), 'reference-crosssubnet');
  const fleet: FleetMember[] = ACCOUNTS.flatMap((accountId) =>
    Array.from({ length: PER_ACCOUNT }, (_, n) => {
      const clusterName = `cluster-${String(n).padStart(3, '0')}`;
      return { accountId, region: REGION, snapshot: { ...sample, aws: { ...sample.aws, cluster: { ...sample.aws.cluster!, name: clusterName } } }, options: { denied: ['DescribeCluster' as const] } };
    }),
  );
  aws = mockAwsFleet(fleet);
  const handlers = await loadFleetHandlers(s3.endpoint, {
    AWS_REGION: REGION,
    CALICO_AUDIT_ACCOUNTS: ACCOUNTS.join(','),
    CALICO_AUDIT_REGIONS: REGION,
    CALICO_AUDIT_EXTERNAL_ID: 'calico-audit-e2e-external-id',
    CALICO_AUDIT_BUCKET: BUCKET,
    CALICO_AUDIT_CONCURRENCY: '25',
  });
  const machine = fleetMachine(template, { bucket: BUCKET, s3: s3.client, handlers });
  const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  runId = runIdAt(startedAt);
  execution = await machine.start({}, 'nightly', startedAt);
  await s3.idle();
}, 300_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  aws?.restore();
  await s3?.close();
});

describe(`a run of ${CLUSTERS.toLocaleString('en')} clusters`, () => {
  it('completes within the 256 KiB state quota, though its outcomes alone would not fit a state', async () => {
    expect(execution.status, `${execution.error}: ${execution.cause}`).toBe('SUCCEEDED');
    expect(execution.history.filter((h) => h.state === 'AuditCluster')).toHaveLength(CLUSTERS);
    // What an inline Map would have gathered into its output: every child's result.
    const manifestKey = (lastTaskInput(execution, 'Summarize') as { mapResults: { Key: string } }).mapResults.Key;
    const manifest = JSON.parse(Buffer.from((await bucket.read(manifestKey))!).toString('utf8')) as { ResultFiles: { SUCCEEDED: Array<{ Key: string }> } };
    let outputBytes = 2;
    for (const file of manifest.ResultFiles.SUCCEEDED) {
      const records = JSON.parse(Buffer.from((await bucket.read(file.Key))!).toString('utf8')) as Array<{ Output: string }>;
      outputBytes += records.reduce((sum, r) => sum + Buffer.byteLength(r.Output) + 1, 0);
    }
    expect(outputBytes).toBeGreaterThan(PAYLOAD_LIMIT_BYTES);
  });

  it('lists every cluster on the fleet page, each with its reason, and switches latest/ to the run', async () => {
    const summary = fleetSummarySchema.parse(JSON.parse(Buffer.from((await bucket.read(`runs/${runId}/fleet/index.json`))!).toString('utf8')));
    expect(summary.totals).toMatchObject({ clusters: CLUSTERS, audited: 0, notAudited: CLUSTERS, unlisted: 0 });
    expect(new Set(summary.notAudited.map((row) => `${row.accountId}/${row.clusterName}`)).size).toBe(CLUSTERS);
    for (const row of summary.notAudited) expect(row.reason).toMatch(/^AccessDeniedException: cannot describe EKS cluster cluster-\d{3} in eu-west-2/);
    const pointer = JSON.parse(Buffer.from((await bucket.read('latest/index.json'))!).toString('utf8')) as { runId: string };
    expect(pointer.runId).toBe(runId);
  });
});
