/**
 * Fleet simulation (issue 13): a night of 10,000 clusters in 500 member accounts, at the deployed
 * Map concurrency (serverless.yml's `concurrency` parameter), in simulated time.
 *
 * What is real: the collector (src/collect) with its AWS SDK clients — their serialisation, adaptive
 * retry and client-side rate limiting — reading each member's EKS and EC2 APIs on the wire. What is
 * simulated: AWS itself (bench/sim/aws-wire.ts: 50 ms a call, a token bucket per account, region
 * and action answering RequestLimitExceeded / ThrottlingException), each cluster's Kubernetes API
 * (bench/sim/kube.ts: 50 ms a request, from the cluster's snapshot), the audit's own work (assess,
 * render, gzip: the warm time one real audit of that size takes, measured first in a child process
 * that also reports its peak memory), S3 (4 writes at once, 50 ms) and Step Functions' start of each
 * child execution with its Lambda invocation (250 ms, an assumption). Time is @sinonjs/fake-timers'
 * clock, so an hour of night runs in the minutes the collector's own CPU needs.
 *
 * Targets: the night within 60 minutes at the default settings, no cluster lost to throttling.
 *
 *   node --import tsx bench/fleet-sim.ts [clusters] [accounts]
 */
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
process.env['AWS_EC2_METADATA_DISABLED'] ??= 'true';

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import FakeTimers from '@sinonjs/fake-timers';
import pMap from 'p-map';
import { parse } from 'yaml';
import { collectSnapshot } from '../src/collect/collect.js';
import { createAwsClients } from '../src/collect/aws/clients.js';
import { interleaveByAccount } from '../src/fleet/targets.js';
import type { Snapshot } from '../src/snapshot/schema.js';
import { jsonCopy } from '../test/helpers/fixtures.js';
import { buildScaledCluster, SAMPLE_REGION } from '../test/support/samples/index.js';
import { machineLine, recordSection } from './results.js';
import { EC2_LIMITS, EKS_LIMITS, SimulatedAws, simulatedCredentials } from './sim/aws-wire.js';
import { simulatedKube } from './sim/kube.js';

/** The part of serverless.yml read here. */
interface ServerlessParams {
  params: { default: { concurrency: number | string } };
}

const CLUSTERS = Number(process.argv[2] ?? 10_000);
const ACCOUNTS = Number(process.argv[3] ?? 500);
const LATENCY_MS = 50;
const CHILD_START_MS = 250;
const S3_WRITE_MS = 50;
const TARGET_MINUTES = 60;
// CloudFormation's short tags (!Ref, !GetAtt) are not YAML the parser knows; only the parameters are read here.
const serverless = parse(readFileSync(fileURLToPath(new URL('../serverless.yml', import.meta.url)), 'utf8'), { logLevel: 'error' }) as ServerlessParams;
const CONCURRENCY = Number(process.env['SIM_CONCURRENCY'] ?? serverless.params.default.concurrency);

/** Cluster sizes as a fleet has them: most small, a few large. */
const SIZES = [
  { nodes: 4, share: 0.5 },
  { nodes: 12, share: 0.3 },
  { nodes: 40, share: 0.15 },
  { nodes: 150, share: 0.05 },
];

console.log(`measuring one real audit of each size…`);
const audits = new Map(
  SIZES.map(({ nodes }) => {
    const line = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./sim/one-audit.ts', import.meta.url)), String(nodes)], { encoding: 'utf8' });
    const measured = JSON.parse(line.trim().split('\n').pop()!) as { nodes: number; coldMs: number; warmMs: number; peakRssMiB: number };
    console.log(`  ${nodes} nodes: warm ${measured.warmMs.toFixed(0)} ms, cold ${measured.coldMs.toFixed(0)} ms, peak RSS ${measured.peakRssMiB.toFixed(0)} MiB`);
    return [nodes, measured] as const;
  }),
);

console.log(`building ${CLUSTERS.toLocaleString('en')} clusters in ${ACCOUNTS} accounts…`);
/**
 * What the simulated APIs answer: each size's cluster, cut to what decides the collector's calls
 * (instance, subnet and group ids; node provider ids) — the audit's own work is the measured time,
 * so parsing full objects here would only spend this process's CPU, not simulated time.
 */
function wireTemplate(nodes: number): Snapshot {
  const document = jsonCopy(buildScaledCluster(nodes));
  const pick = <T extends object, const K extends keyof T>(object: T, keys: K[]): Pick<T, K> =>
    Object.fromEntries(keys.filter((k) => object[k] !== undefined).map((k) => [k, object[k]])) as Pick<T, K>;
  document.aws.instances = (document.aws.instances ?? []).map((i) => ({
    ...pick(i, ['InstanceId', 'InstanceType', 'PrivateDnsName', 'PrivateIpAddress', 'SubnetId', 'VpcId', 'SourceDestCheck', 'SecurityGroups']),
    NetworkInterfaces: (i.NetworkInterfaces ?? []).map((eni) => pick(eni, ['NetworkInterfaceId', 'SubnetId', 'Groups', 'PrivateIpAddress'])),
  }));
  document.kubernetes.pods = [];
  return document;
}
const templates = new Map(SIZES.map(({ nodes }) => [nodes, wireTemplate(nodes)]));
interface Member {
  accountId: string;
  region: string;
  clusterName: string;
  nodes: number;
  document: Snapshot;
}
const members: Member[] = [];
for (let i = 0; i < CLUSTERS; i++) {
  const accountId = String(100000000000 + (i % ACCOUNTS) * 7919).padStart(12, '0');
  let pick = ((i * 2654435761) % 1000) / 1000;
  const size = SIZES.find((s) => (pick -= s.share) < 0) ?? SIZES[0]!;
  const template = templates.get(size.nodes)!;
  const clusterName = `cluster-${String(i).padStart(5, '0')}`;
  // Shallow copies: every cluster of a size shares its template's objects, renamed where the collector looks.
  const document = { ...template, target: { ...template.target, accountId, clusterName }, aws: { ...template.aws, cluster: { ...template.aws.cluster, name: clusterName } } };
  members.push({ accountId, region: SAMPLE_REGION, clusterName, nodes: size.nodes, document });
}
// The order enumerate hands the Map (enumerateTargets): accounts taken in turn, so that the audits
// running at once read different accounts' APIs rather than exhausting one account's buckets.
members.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.clusterName.localeCompare(b.clusterName));
const ordered = interleaveByAccount(members);

const aws = new SimulatedAws(new Map(members.map((m) => [`${m.accountId}/${m.clusterName}`, m.document])), LATENCY_MS);

const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], loopLimit: 100_000_000 });
const startedAt = Date.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const realStart = performance.now();
let done = 0;
let lostToThrottling = 0;
let dataErrors = 0;
const durations: number[] = [];

const night = pMap(
  ordered,
  async (member) => {
    const begun = Date.now();
    await sleep(CHILD_START_MS);
    const credentials = () => Promise.resolve(simulatedCredentials(member.accountId));
    const clients = createAwsClients({ region: SAMPLE_REGION, credentials, requestHandler: aws.requestHandler });
    const snapshot = await collectSnapshot(
      { clusterName: member.clusterName, region: SAMPLE_REGION, now: () => new Date() },
      { aws: clients, credentials, connectKube: () => Promise.resolve(simulatedKube(member.document, LATENCY_MS)) },
    );
    const throttled = snapshot.errors.filter((e) => /Throttl|RequestLimitExceeded/.test(e.code));
    if (throttled.length) lostToThrottling += 1;
    dataErrors += snapshot.errors.length;
    await sleep(audits.get(member.nodes)!.warmMs);
    await sleep(S3_WRITE_MS);
    durations.push(Date.now() - begun);
    done += 1;
    if (done % 1000 === 0) console.log(`  ${done.toLocaleString('en')} clusters at ${((Date.now() - startedAt) / 60_000).toFixed(1)} simulated minutes`);
  },
  { concurrency: CONCURRENCY },
);
let finished = false;
void night.finally(() => (finished = true));
while (!finished) await clock.tickAsync(1_000);
await night;
const wallMinutes = (Date.now() - startedAt) / 60_000;
clock.uninstall();
const realSeconds = (performance.now() - realStart) / 1000;

durations.sort((a, b) => a - b);
const p = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]! / 1000;
const largest = audits.get(Math.max(...SIZES.map((s) => s.nodes)))!;
const { stats } = aws;
const summary = [
  `${CLUSTERS.toLocaleString('en')} clusters in ${ACCOUNTS} accounts (${(CLUSTERS / ACCOUNTS).toFixed(0)} each, one region), Map concurrency ${CONCURRENCY}: **${wallMinutes.toFixed(1)} simulated minutes** (target ≤ ${TARGET_MINUTES}), ${realSeconds.toFixed(0)} s of real time.`,
  `Per cluster: median ${p(0.5).toFixed(2)} s, 95th percentile ${p(0.95).toFixed(2)} s, slowest ${p(1).toFixed(2)} s (child start, collection, audit, publish).`,
  `AWS calls: ${stats.requests.toLocaleString('en')} (EKS ${stats.byService.eks.requests.toLocaleString('en')}, EC2 ${stats.byService.ec2.requests.toLocaleString('en')}); throttled answers ${stats.throttled.toLocaleString('en')} (EKS ${stats.byService.eks.throttled}, EC2 ${stats.byService.ec2.throttled}), each retried by the SDK; clusters that lost data to throttling: **${lostToThrottling}**; other collection errors: ${dataErrors}.`,
  `One audit's peak memory: ${largest.peakRssMiB.toFixed(0)} MiB for ${largest.nodes} nodes (auditCluster's Lambda has 1,536 MB).`,
];
console.log(summary.join('\n'));

recordSection(
  'Fleet simulation',
  [
    machineLine(),
    'bench/fleet-sim.ts: the real collector and SDK clients against simulated AWS (50 ms a call; token buckets per account, region and action: EC2 ' +
      `${EC2_LIMITS.capacity} tokens at ${EC2_LIMITS.refillPerSecond}/s as documented, EKS ${EKS_LIMITS.capacity} at ${EKS_LIMITS.refillPerSecond}/s assumed), simulated Kubernetes APIs (50 ms), ` +
      `the measured warm time of a real audit per cluster size, S3 writes ${S3_WRITE_MS} ms, ${CHILD_START_MS} ms to start each child execution; simulated time.`,
    '',
    `Cluster sizes: ${SIZES.map((s) => `${s.share * 100}% of ${s.nodes} nodes (audit ${audits.get(s.nodes)!.warmMs.toFixed(0)} ms warm)`).join(', ')}.`,
    '',
    ...summary.map((line) => `- ${line}`),
  ].join('\n'),
);
