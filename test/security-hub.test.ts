/**
 * Security Hub export: ASFF valid against the specification's schema and the SDK's own shape;
 * BatchImportFindings through the SDK client mock, batched at 100, paced per account and region,
 * retried when throttled; findings archived once resolved or accepted; each imported into the
 * account that owns its cluster.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BatchImportFindingsCommand, SecurityHubClient, ThrottlingException, type AwsSecurityFinding, InvalidAccessException } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { assess, type Assessment } from '../src/assess/assess.js';
import { applySuppressions } from '../src/assess/suppressions.js';
import { updateLedger, type LedgerEntry } from '../src/fleet-summary/index.js';
import { exportToSecurityHub, findingsToExport } from '../src/fleet/security-hub.js';
import { summarizeRun } from '../src/fleet/summarize.js';
import { auditCluster } from '../src/fleet/audit-cluster.js';
import { LocalSink } from '../src/publish/sink.js';
import { asffFinding } from '../src/render/asff.js';
import { sdkShaped } from './helpers/aws-shapes.js';
import { nativeSnapshot, NATIVE_TARGET } from './support/history-samples.js';
import { asffValidator } from './support/schemas.js';
import { stringContaining, stringMatching } from './helpers/matchers.js';

const validate = asffValidator();
const hub = mockClient(SecurityHubClient);
afterEach(() => hub.reset());

const native = (at: string, fixed: string[] = []): Assessment => assess(nativeSnapshot({ at, fixed }));

/** Two runs: a node fixed in the second, and a namespace accepted by a suppression. */
function twoRuns() {
  const first = native('2026-11-01T02:00:00Z');
  const second = applySuppressions(native('2026-11-08T02:00:00Z', ['ip-10-2-3-41']), [
    { ruleId: 'CAL-POL-03', clusters: ['*'], match: 'batch', reason: 'batch jobs run in their own VPC', owner: 'platform', expires: '2027-01-31' },
  ]);
  const { ledger: l1 } = updateLedger(null, { runId: 'r1', at: '2026-11-01T02:00:00Z', assessments: [first], notAudited: [] });
  const { ledger } = updateLedger(l1, { runId: 'r2', at: '2026-11-08T02:00:00Z', assessments: [second], notAudited: [] });
  return { ledger, second };
}

/** A fake clock that `sleep` moves on: pacing is measured without waiting. */
function fakeTime() {
  let clock = 0;
  return {
    now: () => clock,
    sleep: (ms: number) => {
      clock += ms;
      return Promise.resolve();
    },
    elapsed: () => clock,
  };
}

describe('ASFF', () => {
  it('is valid against the ASFF schema and fits the SDK\'s AwsSecurityFinding shape, for every finding of a run', () => {
    const { ledger, second } = twoRuns();
    const findings = findingsToExport(ledger, [second], 'r2', '2026-11-08T02:00:00Z', (t) => `https://audit.example.com/runs/r2/clusters/${t.accountId}/${t.region}/${t.clusterName}/report.html`);
    expect(findings.length).toBeGreaterThan(8);
    for (const finding of findings) {
      expect(validate(finding), `${finding.Id}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(() => sdkShaped('securityhub', 'AwsSecurityFinding', finding)).not.toThrow();
    }
    // The validator rejects what the format forbids.
    expect(validate({ ...findings[0], Title: 'x'.repeat(257) })).toBe(false);
    expect(validate({ ...findings[0], Types: ['Calico/Whatever'] })).toBe(false);
    expect(() => sdkShaped('securityhub', 'AwsSecurityFinding', { ...findings[0], Colour: 'red' })).toThrow(/no member Colour/);
  });

  it('fills Severity, Types, the EKS cluster as a resource, Remediation, and the state: active, archived when resolved or accepted', () => {
    const { ledger, second } = twoRuns();
    const byId = new Map(findingsToExport(ledger, [second], 'r2', '2026-11-08T02:00:00Z').map((f) => [f.Id!, f]));
    const cluster = '111122223333/eu-west-2/native-multisubnet-srcdst';
    const open = byId.get(`${cluster}#CAL-AWS-01#Node/ip-10-2-18-77.eu-west-2.compute.internal`)!;
    expect(open).toMatchObject({
      SchemaVersion: '2018-10-08',
      AwsAccountId: '111122223333',
      ProductArn: 'arn:aws:securityhub:eu-west-2:111122223333:product/111122223333/default',
      GeneratorId: 'calico-audit/CAL-AWS-01',
      Types: ['Software and Configuration Checks/Industry and Regulatory Standards/Calico reference architecture'],
      Severity: { Label: 'CRITICAL', Original: 'critical' },
      CreatedAt: '2026-11-01T02:00:00Z',
      UpdatedAt: '2026-11-08T02:00:00Z',
      RecordState: 'ACTIVE',
      Remediation: { Recommendation: { Text: stringContaining('aws ec2 modify-instance-attribute') } },
    });
    expect(open.Resources![0]).toMatchObject({ Type: 'AwsEksCluster', Id: 'arn:aws:eks:eu-west-2:111122223333:cluster/native-multisubnet-srcdst', Partition: 'aws', Region: 'eu-west-2' });
    expect(open.Resources![1]).toMatchObject({ Type: 'Other', Id: 'arn:aws:eks:eu-west-2:111122223333:cluster/native-multisubnet-srcdst/Node/ip-10-2-18-77.eu-west-2.compute.internal' });
    const resolved = byId.get(`${cluster}#CAL-AWS-01#Node/ip-10-2-3-41.eu-west-2.compute.internal`)!;
    expect(resolved).toMatchObject({ RecordState: 'ARCHIVED', UpdatedAt: '2026-11-08T02:00:00Z', Description: stringMatching(/^Resolved 2026-11-08: the audit no longer finds it/) });
    const accepted = byId.get(`${cluster}#CAL-POL-03#Namespace/batch`)!;
    expect(accepted).toMatchObject({ RecordState: 'ARCHIVED', ProductFields: { 'calico-audit/SuppressedBy': 'platform: batch jobs run in their own VPC' } });
    expect(byId.get(`${cluster}#CAL-POL-03#Namespace/analytics`)!.RecordState).toBe('ACTIVE');
  });

  it('leaves the open findings of a cluster not audited in this run alone', () => {
    const { ledger } = twoRuns();
    const { ledger: third } = updateLedger(ledger, { runId: 'r3', at: '2026-11-15T02:00:00Z', assessments: [], notAudited: [{ target: { accountId: '111122223333', region: 'eu-west-2', clusterName: 'native-multisubnet-srcdst' }, reason: 'denied' }] });
    const sent = findingsToExport(third, [], 'r3', '2026-11-15T02:00:00Z');
    expect(sent.every((f) => f.RecordState === 'ARCHIVED')).toBe(true);
    expect(sent.map((f) => f.Id)).toEqual([stringContaining('#CAL-AWS-01#Node/ip-10-2-3-41')]);
  });
});

/** `count` open findings in one account and region, as the ledger holds them. */
function entries(count: number, accountId: string, region: string): AwsSecurityFinding[] {
  return Array.from({ length: count }, (_, i): LedgerEntry => ({
    fingerprint: `${accountId}/${region}/big#CAL-POL-03#Namespace/ns-${i}`,
    accountId,
    region,
    clusterName: 'big',
    ruleId: 'CAL-POL-03',
    title: 'Every non-system namespace that runs pods is selected by a network policy',
    severity: 'medium',
    object: { kind: 'Namespace', name: `ns-${i}` },
    state: 'open',
    firstSeen: '2026-11-01T02:00:00Z',
    openedAt: '2026-11-01T02:00:00Z',
    lastSeen: '2026-11-08T02:00:00Z',
    lastSeenRun: 'r2',
    resolvedAt: null,
    resolution: null,
    reopened: 0,
    reopenedAt: null,
    suppression: null,
  })).map((entry) => asffFinding(entry, null, { at: '2026-11-08T02:00:00Z' }));
}

describe('BatchImportFindings', () => {
  it('sends at most 100 findings a call, each batch to the client of the account and region that own it, at most 10 calls a second', async () => {
    const time = fakeTime();
    const clients: string[] = [];
    const callTimes: number[] = [];
    hub.on(BatchImportFindingsCommand).callsFake((input: { Findings: AwsSecurityFinding[] }) => {
      callTimes.push(time.now());
      return { FailedCount: 0, SuccessCount: input.Findings.length, FailedFindings: [] };
    });
    const findings = [...entries(1150, '111122223333', 'eu-west-2'), ...entries(3, '444455556666', 'us-east-1')];
    const report = await exportToSecurityHub(findings, {
      clientFor: (accountId, region) => {
        clients.push(`${accountId}/${region}`);
        return new SecurityHubClient({ region });
      },
      now: time.now,
      sleep: time.sleep,
      concurrency: 1,
    });
    const calls = hub.commandCalls(BatchImportFindingsCommand);
    expect(calls.map((c) => c.args[0].input.Findings!.length)).toEqual([100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 50, 3]);
    // Each call carries findings of one account only.
    for (const call of calls) expect(new Set(call.args[0].input.Findings!.map((f) => f.AwsAccountId)).size).toBe(1);
    expect(clients).toEqual(['111122223333/eu-west-2', '444455556666/us-east-1']);
    expect(report).toMatchObject({ imported: 1153, archived: 0, failed: 0, calls: 13, throttled: 0, errors: [] });
    // Twelve calls in one account and region: never more than 10 in any second.
    const first = callTimes.slice(0, 12);
    for (let i = 10; i < first.length; i += 1) expect(first[i]! - first[i - 10]!).toBeGreaterThanOrEqual(1000);
  });

  it('waits and tries again when throttled, and reports an account that refuses', async () => {
    const time = fakeTime();
    hub
      .on(BatchImportFindingsCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))
      .callsFake((input: { Findings: AwsSecurityFinding[] }) => {
        if (input.Findings[0]!.AwsAccountId === '444455556666') throw new InvalidAccessException({ message: 'Account 444455556666 is not subscribed to AWS Security Hub', $metadata: {} });
        // One finding refused on its own.
        return { FailedCount: 1, SuccessCount: input.Findings.length - 1, FailedFindings: [{ Id: input.Findings[0]!.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding is too large' }] };
      });
    const report = await exportToSecurityHub([...entries(150, '111122223333', 'eu-west-2'), ...entries(5, '444455556666', 'eu-west-2')], {
      clientFor: (_a, region) => new SecurityHubClient({ region }),
      now: time.now,
      sleep: time.sleep,
      concurrency: 1,
    });
    expect(report.throttled).toBe(2);
    expect(report.calls).toBe(5);
    expect(report.imported).toBe(148);
    expect(report.failed).toBe(2 + 5);
    expect(report.rejected).toEqual([expect.objectContaining({ code: 'InvalidInput' }), expect.objectContaining({ code: 'InvalidInput' })]);
    expect(report.errors).toEqual([{ accountId: '444455556666', region: 'eu-west-2', error: 'InvalidAccessException: Account 444455556666 is not subscribed to AWS Security Hub', findings: 5 }]);
    // Backing off took time.
    expect(time.elapsed()).toBeGreaterThan(0);
  });

  it('gives up on a call throttled again and again, reporting it rather than failing the run', async () => {
    const time = fakeTime();
    hub.on(BatchImportFindingsCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    const report = await exportToSecurityHub(entries(3, '111122223333', 'eu-west-2'), { clientFor: () => new SecurityHubClient({}), now: time.now, sleep: time.sleep, attempts: 4 });
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(4);
    expect(report).toMatchObject({ imported: 0, failed: 3, throttled: 3, errors: [{ accountId: '111122223333', error: stringContaining('ThrottlingException') }] });
  });
});

describe('the nightly run\'s export', () => {
  it('imports each open finding and archives the resolved ones after the summary, per run, into the cluster\'s own account', async () => {
    const sink = new LocalSink(mkdtempSync(path.join(tmpdir(), 'hub-')));
    const target = NATIVE_TARGET;
    hub.on(BatchImportFindingsCommand).callsFake((input: { Findings: AwsSecurityFinding[] }) => ({ FailedCount: 0, SuccessCount: input.Findings.length, FailedFindings: [] }));
    const clients: string[] = [];
    const run = async (runId: string, at: string, fixed: string[]) => {
      const outcome = await auditCluster(runId, target, { sink, collect: () => Promise.resolve(nativeSnapshot({ at, fixed })) });
      return summarizeRun(runId, [outcome], [], {
        sink,
        fleetUrl: 'https://audit.example.com/latest/fleet/index.html',
        maskEmail: true,
        now: () => new Date(at),
        exports: {
          reportUrl: (t) => `https://audit.example.com/runs/${runId}/clusters/${t.accountId}/${t.region}/${t.clusterName}/report.html`,
          securityHub: {
            clientFor: (accountId, region) => {
              clients.push(`${accountId}/${region}`);
              return new SecurityHubClient({ region });
            },
            sleep: () => Promise.resolve(),
          },
        },
      });
    };
    const first = await run('2026-11-01T02-00-00Z', '2026-11-01T02:00:00Z', []);
    expect(first.exports.securityHub).toMatchObject({ archived: 0, failed: 0, errors: [] });
    const openFirst = (first.exports.securityHub as { imported: number }).imported;
    hub.resetHistory();
    const second = await run('2026-11-08T02-00-00Z', '2026-11-08T02:00:00Z', ['ip-10-2-3-41']);
    expect(second.exports.securityHub).toMatchObject({ imported: openFirst - 1, archived: 1, errors: [] });
    const sent = hub.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings!);
    expect(sent.find((f) => f.RecordState === 'ARCHIVED')!.Id).toBe('111122223333/eu-west-2/native-multisubnet-srcdst#CAL-AWS-01#Node/ip-10-2-3-41.eu-west-2.compute.internal');
    expect(sent.every((f) => f.AwsAccountId === '111122223333' && f.Remediation?.Recommendation?.Url?.startsWith('https://audit.example.com/runs/2026-11-08T02-00-00Z/'))).toBe(true);
    expect(new Set(clients)).toEqual(new Set(['111122223333/eu-west-2']));
  });

  it('sends nothing to Security Hub unless configured', async () => {
    const sink = new LocalSink(mkdtempSync(path.join(tmpdir(), 'hub-')));
    const summary = await summarizeRun('r', [], [], { sink, fleetUrl: 'x', maskEmail: true, now: () => new Date('2026-11-01T00:00:00Z') });
    expect(summary.exports).toEqual({ securityHub: null, event: null });
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });
});
