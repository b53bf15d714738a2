/** The Lambda handlers reject malformed events with a clear validation error and no stack trace. */
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';

const context = {
  functionName: 'calico-eks-auditor-test-auditCluster',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:111122223333:function:calico-eks-auditor-test-auditCluster',
  memoryLimitInMB: '1024',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/calico-eks-auditor-test-auditCluster',
  logStreamName: '2026/11/23/[$LATEST]abcdef',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as unknown as Context;

type Handler = (event: unknown, context: Context) => Promise<unknown>;
const handlers: Record<string, Handler> = {};

beforeAll(async () => {
  process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
  Object.assign(process.env, { CALICO_AUDIT_ACCOUNTS: '111122223333', CALICO_AUDIT_REGIONS: 'eu-west-2', CALICO_AUDIT_BUCKET: 'calico-audit-reports', CALICO_AUDIT_EXTERNAL_ID: 'calico-audit-test-external-id' });
  // Imported after the environment is set: the logger reads its level when the module loads.
  handlers['enumerate'] = (await import('../functions/enumerate.js')).handler as Handler;
  handlers['audit-cluster'] = (await import('../functions/audit-cluster.js')).handler as Handler;
  handlers['summarize'] = (await import('../functions/summarize.js')).handler as Handler;
});

async function rejection(name: string, event: unknown): Promise<Error> {
  const error = await handlers[name]!(event, context).then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(error, `${name} accepted ${JSON.stringify(event)}`).not.toBeNull();
  return error!;
}

describe('event validation', () => {
  it.each([
    ['audit-cluster', { region: 'eu-west-2' }, 'clusterName'],
    ['audit-cluster', { region: 'Europe', clusterName: 'prod' }, 'must be an AWS region'],
    ['audit-cluster', { accountId: '42', region: 'eu-west-2', clusterName: 'prod' }, 'must be a 12-digit AWS account id'],
    ['audit-cluster', { runId: '../../etc', target: { accountId: '111122223333', region: 'eu-west-2', clusterName: 'prod' } }, 'runId'],
    ['audit-cluster', { region: 'eu-west-2', clusterName: 'prod; rm -rf /' }, 'must be an EKS cluster name'],
    // On demand, only an account the deployment audits: the member role is not assumed anywhere else.
    ['audit-cluster', { accountId: '999988887777', region: 'eu-west-2', clusterName: 'prod' }, 'accountId 999988887777 is not one of the accounts this deployment audits (111122223333)'],
    ['enumerate', { runId: 'bad id with spaces' }, 'runId'],
    ['summarize', { runId: 'r1' }, 'mapResults'],
    ['summarize', { runId: 'r1', mapResults: { Bucket: 'calico-audit-reports' } }, 'mapResults.Key'],
    // Only this run's Map results, in this deployment's bucket: summarize reads nothing else it is pointed at.
    ['summarize', { runId: 'r1', mapResults: { Bucket: 'calico-audit-reports', Key: 'runs/r2/map/run-1/manifest.json' } }, "is not a manifest of run r1's Map"],
    ['summarize', { runId: 'r1', mapResults: { Bucket: 'calico-audit-reports', Key: 'runs/r1/fleet/index.json' } }, "is not a manifest of run r1's Map"],
    ['summarize', { runId: 'r1', mapResults: { Bucket: 'someone-elses-bucket', Key: 'runs/r1/map/run-1/manifest.json' } }, 's3://someone-elses-bucket/'],
  ])('%s rejects %j naming the problem', async (name, event, problem) => {
    const error = await rejection(name, event);
    expect(error.name).toBe('EventValidationError');
    expect(error.message).toMatch(/^invalid event: /);
    expect(error.message).toContain(problem);
    // Only the one line a caller can act on leaves the function: no stack frames.
    expect(error.stack).toBe(`EventValidationError: ${error.message}`);
    expect(error.stack).not.toMatch(/\n\s+at /);
  });
});

describe('configuration errors', () => {
  it('fail with every problem named and no stack trace', async () => {
    const saved = process.env['CALICO_AUDIT_BUCKET'];
    delete process.env['CALICO_AUDIT_BUCKET'];
    try {
      const error = await rejection('audit-cluster', { region: 'eu-west-2', clusterName: 'prod' });
      expect(error.name).toBe('ConfigError');
      expect(error.message).toContain('bucket (CALICO_AUDIT_BUCKET): is required');
      expect(error.stack).not.toMatch(/\n\s+at /);
    } finally {
      process.env['CALICO_AUDIT_BUCKET'] = saved;
    }
  });
});
