/**
 * No secret is published. Secrets are planted in every object a cluster serves — annotations
 * (`last-applied-configuration` repeats a workload's env), managed fields, workload env values and
 * `secretKeyRef`s, container arguments and commands, volumes, the calico-config ConfigMap, node
 * annotations, instance user data, add-on configuration, and a workload in another team's
 * namespace — then the cluster is collected over HTTPS and audited into a folder: no published
 * file (reports and gzipped snapshot) holds any of them. Trimming changes no verdict.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { normalize } from '../src/assess/normalize/index.js';
import { collectSnapshot } from '../src/collect/collect.js';
import { auditCluster } from '../src/fleet/audit-cluster.js';
import { LocalSink } from '../src/publish/sink.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import type { Snapshot } from '../src/snapshot/schema.js';
import { trimSnapshot } from '../src/snapshot/trim.js';
import { fakeCredentials, mockAwsFromSnapshot, testAwsClients, type AwsMock } from './helpers/aws-mock.js';
import { sampleDocument } from './helpers/fixtures.js';
import { startFakeKube, type FakeKube } from './helpers/kube-server.js';
import { arrayContaining } from './helpers/matchers.js';
import { without } from './helpers/objects.js';
import { SAMPLE_NAMES, sampleSnapshot } from './helpers/reports.js';

/** The parts of a Kubernetes object the planting writes to (everything else passes through). */
interface Planted {
  kind?: string;
  metadata?: { name?: string; annotations?: Record<string, string>; managedFields?: unknown[] };
  spec?: PodSpec & { template?: { metadata?: Record<string, unknown>; spec?: PodSpec } };
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  volumes?: unknown[];
}
interface Container {
  name?: string;
  image?: string;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  args?: string[];
  command?: string[];
  envFrom?: unknown[];
}

const dir = mkdtempSync(path.join(tmpdir(), 'snapshot-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open: Array<{ kube: FakeKube; aws: AwsMock }> = [];
afterEach(async () => {
  for (const { kube, aws } of open.splice(0)) {
    aws.restore();
    await kube.close();
  }
});

let planted = 0;
/** A secret that says where it was planted. */
const secret = (where: string) => `SECRET-${++planted}-${where.replace(/[^\w.-]/g, '_')}`;

/** Every Kubernetes object of a section: its lists' items, and single objects (the Installation). */
const objectsOf = (section: Record<string, unknown>): Planted[] =>
  Object.values(section).flatMap((v): unknown[] => (Array.isArray(v) ? v : v && typeof v === 'object' && 'metadata' in v ? [v] : [])) as Planted[];

function plantInContainer(container: Container, where: string): void {
  container.env = [
    ...(container.env ?? []),
    { name: 'API_TOKEN', value: secret(`${where}/env`) },
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: secret(`${where}/secretKeyRef`), key: 'password' } } },
    { name: 'FELIX_TYPHAK8SSERVICENAME_UNUSED', value: secret(`${where}/lookalike`) },
  ];
  container.args = [`--token=${secret(`${where}/args`)}`];
  container.command = ['/bin/sh', '-c', `login ${secret(`${where}/command`)}`];
  container.envFrom = [{ secretRef: { name: secret(`${where}/envFrom`) } }];
}

function withSecrets(sample: Snapshot): Snapshot {
  const doc = JSON.parse(JSON.stringify(sample)) as Snapshot;
  for (const object of [...objectsOf(doc.kubernetes), ...objectsOf(doc.calico)]) {
    object.metadata ??= {};
    const where = `${object.kind ?? 'object'}/${object.metadata.name ?? ''}`;
    object.metadata.annotations = {
      ...object.metadata.annotations,
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ env: [{ name: 'PASSWORD', value: secret(`${where}/last-applied`) }] }),
      'example.com/api-token': secret(`${where}/annotation`),
    };
    object.metadata.managedFields = [{ manager: 'kubectl', fieldsV1: { [`f:${secret(`${where}/managed`)}`]: {} } }];
  }
  const workloads = [...(doc.kubernetes.daemonSets ?? []), ...(doc.kubernetes.deployments ?? []), ...(doc.kubernetes.pods ?? [])] as Planted[];
  for (const workload of workloads) {
    const name = workload.metadata?.name ?? '';
    const podSpec = (workload.kind === 'Pod' ? workload.spec : workload.spec?.template?.spec) ?? {};
    for (const container of podSpec.containers ?? []) plantInContainer(container, `${name}/${container.name ?? ''}`);
    podSpec.initContainers = [{ name: 'init', image: 'busybox', env: [{ name: 'SEED', value: secret(`${name}/init`) }] }];
    podSpec.volumes = [{ name: 'creds', secret: { secretName: secret(`${name}/volume`) } }];
    if (workload.kind !== 'Pod' && workload.spec?.template) {
      workload.spec.template.metadata = { ...workload.spec.template.metadata, annotations: { checksum: secret(`${name}/template`) } };
    }
  }
  for (const configMap of (doc.kubernetes.configMaps ?? []) as Planted[]) configMap.data = { ...configMap.data, etcd_key: secret('calico-config/etcd_key') };
  for (const node of (doc.kubernetes.nodes ?? []) as Planted[]) node.status = { ...node.status, images: [{ names: [`registry.example/${secret(`${node.metadata?.name ?? ''}/image`)}`] }] };
  for (const instance of doc.aws.instances ?? []) Object.assign(instance, { UserData: { Value: secret(`${instance.InstanceId}/userdata`) } });
  for (const addon of doc.aws.addons ?? []) Object.assign(addon, { configurationValues: JSON.stringify({ apiKey: secret(`${addon.addonName}/configuration`) }) });
  return validateSnapshot(doc, 'with secrets');
}

/** Another team's Deployment, full of secrets, in a namespace the auditor has no business reading. */
const otherTeam = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'payments-api', namespace: 'payments', annotations: { token: secret('payments/annotation') } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'api', image: 'payments:1', env: [{ name: 'STRIPE_KEY', value: secret('payments/env') }] }] } } },
});

/** Every published file's text (the gzipped snapshot decompressed). */
function publishedText(root: string): Array<[string, string]> {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const file = path.join(e.parentPath, e.name);
      const bytes = readFileSync(file);
      return [path.relative(root, file), (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')] as [string, string];
    });
}

describe.each(['enterprise-vxlan', 'reference-crosssubnet'])('secrets planted in every object of %s', (name) => {
  it('appear in no published file: reports, and the snapshot beside them', async () => {
    const sample = withSecrets(sampleDocument(name));
    const kube = await startFakeKube({ snapshot: sample, extra: { '/apis/apps/v1/deployments': [otherTeam()] } });
    const clients = testAwsClients();
    const aws = mockAwsFromSnapshot(sample, clients, { endpoint: kube.url, caData: kube.caData });
    open.push({ kube, aws });
    const out = path.join(dir, name);
    const outcome = await auditCluster('run-1', sample.target, {
      sink: new LocalSink(out),
      collect: () =>
        collectSnapshot(
          { clusterName: sample.target.clusterName, region: sample.target.region, now: () => new Date(sample.collectedAt), kube: { retryBaseMs: 1 } },
          { aws: clients, credentials: fakeCredentials },
        ),
    });
    expect(outcome.status).toBe('audited');
    const files = publishedText(out);
    expect(files.map(([file]) => path.basename(file)).sort()).toEqual(['report.html', 'report.json', 'report.md', 'snapshot.json.gz']);
    const leaks = files.flatMap(([file, text]) => [...text.matchAll(/SECRET-\d+-[\w.-]+/g)].map((m) => `${file}: ${m[0]}`));
    expect(leaks).toEqual([]);
    // The planted secrets were served: the collector saw them and left them behind.
    expect(JSON.stringify(sample)).toMatch(/SECRET-\d+-.*last-applied/);
    // And the snapshot still carries what the audit reads: calico-node's env names and its DATASTORE_TYPE.
    const published = JSON.parse(files.find(([file]) => file.endsWith('snapshot.json.gz'))![1]) as Snapshot;
    const calicoNode = (published.kubernetes.daemonSets as Planted[]).find((d) => d.metadata?.name === 'calico-node')!;
    const env = calicoNode.spec!.template!.spec!.containers![0]!.env!;
    expect(env.map((e) => e.name)).toEqual(arrayContaining(['API_TOKEN', 'DB_PASSWORD', 'DATASTORE_TYPE']));
    expect(env.find((e) => e.name === 'API_TOKEN')).toEqual({ name: 'API_TOKEN' });
    expect(env.find((e) => e.name === 'DATASTORE_TYPE')).toEqual({ name: 'DATASTORE_TYPE', value: 'kubernetes' });
  });

  it('appear in no published file when the snapshot comes untrimmed from elsewhere (an older collector)', async () => {
    const snapshot = withSecrets(sampleDocument(name));
    const out = path.join(dir, `${name}-file`);
    const outcome = await auditCluster('run-1', snapshot.target, { sink: new LocalSink(out), collect: () => Promise.resolve(snapshot) });
    expect(outcome.status).toBe('audited');
    const leaks = publishedText(out).flatMap(([file, text]) => [...text.matchAll(/SECRET-\d+-[\w.-]+/g)].map((m) => `${file}: ${m[0]}`));
    expect(leaks).toEqual([]);
  });
});

describe('trimming', () => {
  const verdicts = (snapshot: Snapshot) => assess(snapshot).checks.map(({ id, status, severity, summary, evidence, remediation }) => ({ id, status, severity, summary, evidence, remediation }));

  it.each(SAMPLE_NAMES)('changes no verdict, summary, evidence or remediation of %s', (name) => {
    const snapshot = sampleSnapshot(name);
    expect(verdicts(trimSnapshot(snapshot))).toEqual(verdicts(snapshot));
  });

  it('keeps every Felix setting calico-node sets in its environment', () => {
    const snapshot = sampleSnapshot('mesh-120-no-typha');
    const calicoNode = snapshot.kubernetes.daemonSets!.find((d) => d.metadata?.name === 'calico-node') as Planted;
    // Every field the model reads from Felix, set through calico-node's environment to a non-default value.
    const fields = Object.keys(normalizedFelix(snapshot));
    expect(fields.length).toBeGreaterThan(15);
    calicoNode.spec!.template!.spec!.containers![0]!.env!.push(...fields.map((field) => ({ name: `FELIX_${field.toUpperCase()}`, value: '4242' })));
    expect(normalizedFelix(trimSnapshot(snapshot))).toEqual(normalizedFelix(snapshot));
  });

  it('is idempotent', () => {
    const once = trimSnapshot(sampleSnapshot('enterprise-vxlan'));
    expect(trimSnapshot(once)).toEqual(once);
  });
});

/** The Felix settings in force, without the sources list. */
function normalizedFelix(snapshot: Snapshot): Record<string, unknown> {
  return without(normalize(snapshot).felix ?? { sources: [] }, 'sources');
}
