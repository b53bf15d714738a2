/**
 * The whole collector against a real HTTPS Kubernetes API on 127.0.0.1 (self-signed CA, fixture
 * objects) and EKS/EC2 mocked from the same sample: the snapshot it writes must validate and be
 * judged exactly as the sample it was served from.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assess, type Assessment } from '../../src/assess/assess.js';
import { collectSnapshot, type CollectOptions } from '../../src/collect/collect.js';
import { validateSnapshot } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { trimObject, trimSnapshot } from '../../src/snapshot/trim.js';
import { fakeCredentials, mockAwsFromSnapshot, testAwsClients, type AwsMock, type AwsMockOptions } from '../helpers/aws-mock.js';
import { jsonCopy, sampleDocument } from '../helpers/fixtures.js';
import { startFakeKube, type FakeKube, type FakeKubeOptions } from '../helpers/kube-server.js';
import { stringContaining } from '../helpers/matchers.js';
import { allowsRequest, auditorAccess } from '../helpers/rbac.js';

/** A Kubernetes object's spec or status as an object to extend (nothing when it is not one). */
const fieldsOf = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? { ...value } : {});

/** A sample as the collector keeps it: every object trimmed (src/snapshot/trim.ts). */
const trimmed = (sample: Snapshot): Snapshot => JSON.parse(JSON.stringify(trimSnapshot(sample))) as Snapshot;

const open: Array<{ kube?: FakeKube; aws: AwsMock }> = [];
afterEach(async () => {
  for (const { kube, aws } of open.splice(0)) {
    aws.restore();
    await kube?.close();
  }
});

interface Run {
  snapshot: Snapshot;
  kube: FakeKube;
  aws: AwsMock;
}

/** Serves `sample` over HTTPS and mocked AWS, then collects it. */
async function collectFrom(
  sample: Snapshot,
  kubeOptions: Omit<FakeKubeOptions, 'snapshot'> = {},
  awsOptions: AwsMockOptions = {},
  collectOptions: Partial<CollectOptions> = {},
): Promise<Run> {
  const kube = await startFakeKube({ snapshot: sample, ...kubeOptions });
  const clients = testAwsClients();
  const aws = mockAwsFromSnapshot(sample, clients, { endpoint: kube.url, caData: kube.caData, ...awsOptions });
  open.push({ kube, aws });
  const snapshot = await collectSnapshot(
    { clusterName: sample.target.clusterName, region: sample.target.region, now: () => new Date(sample.collectedAt), kube: { retryBaseMs: 1 }, ...collectOptions },
    { aws: clients, credentials: fakeCredentials },
  );
  return { snapshot, kube, aws };
}

/** What the comparison is about: every check's id, status and severity, and the derived facts. */
const verdict = (assessment: Assessment) => ({
  checks: assessment.checks.map((c) => ({ id: c.id, status: c.status, severity: c.severity })),
  facts: assessment.facts,
});

const errorFor = (snapshot: Snapshot, source: string) => snapshot.errors.find((e) => e.source === source);

describe.each([
  ['reference-crosssubnet', 'crd.projectcalico.org/v1'],
  ['enterprise-vxlan', 'projectcalico.org/v3'],
])('collecting %s (Calico served as %s)', (name, apiGroup) => {
  it('yields a valid snapshot that assesses exactly as the sample it was served from', async () => {
    const sample = sampleDocument(name);
    const { snapshot } = await collectFrom(sample, {}, {}, { pageSize: 7 });
    expect(() => validateSnapshot(JSON.parse(JSON.stringify(snapshot)), 'collected')).not.toThrow();
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.calico.apiGroup).toBe(apiGroup);
    expect(verdict(assess(snapshot))).toEqual(verdict(assess(validateSnapshot(sample, name))));
  });

  it('reproduces every list of the sample, trimmed, object for object (only the endpoint and CA differ)', async () => {
    const sample = trimmed(sampleDocument(name));
    const { snapshot } = await collectFrom(sample, {}, {}, { pageSize: 7 });
    const { cluster, ...aws } = JSON.parse(JSON.stringify(snapshot.aws)) as Snapshot['aws'];
    const { cluster: sampleCluster, ...sampleAws } = sample.aws;
    expect(aws).toEqual(sampleAws);
    expect({ ...cluster, endpoint: undefined, certificateAuthority: undefined }).toEqual({ ...sampleCluster, endpoint: undefined, certificateAuthority: undefined });
    expect(JSON.parse(JSON.stringify(snapshot.kubernetes))).toEqual(sample.kubernetes);
    expect(JSON.parse(JSON.stringify(snapshot.calico))).toEqual(sample.calico);
    expect(snapshot.target).toEqual(sample.target);
    expect(snapshot.collectedAt).toBe(sample.collectedAt);
  });

  it('sends an EKS bearer token, pages with limit/continue, and reads only what the ClusterRole grants', async () => {
    const sample = sampleDocument(name);
    const { kube } = await collectFrom(sample, {}, {}, { pageSize: 7 });
    const access = auditorAccess();
    for (const request of kube.requests) {
      expect(request.authorization).toMatch(/^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/);
      expect(allowsRequest(access, request.path, request.query), `${request.path} ${JSON.stringify(request.query)}`).toBe(true);
      expect(request.path).not.toMatch(/secrets/);
    }
    const podPages = kube.requests.filter((r) => r.path === '/api/v1/pods');
    expect(podPages.length).toBe(Math.ceil(sample.kubernetes.pods!.length / 7));
    expect(podPages.every((r) => r.query['limit'] === '7')).toBe(true);
    expect(podPages.slice(1).every((r) => !!r.query['continue'])).toBe(true);
  });
});

describe('sources of nodes: Karpenter NodePools and Auto Scaling groups', () => {
  it('collects the NodePools (karpenter.sh/v1) and the cluster-tagged Auto Scaling groups as the APIs return them', async () => {
    const sample = sampleDocument('karpenter-growth');
    const { snapshot, kube, aws } = await collectFrom(sample, {}, {}, { pageSize: 7 });
    expect(snapshot.errors).toEqual([]);
    // Kept as served, less what no rule reads (annotations, managed fields): src/snapshot/trim.ts.
    expect(jsonCopy(snapshot.kubernetes.karpenterNodePools)).toEqual(sample.kubernetes.karpenterNodePools!.map(trimObject));
    expect(snapshot.kubernetes.karpenterNodePools?.map((p) => p.metadata?.name)).toEqual(['default']);
    // The managed group's Auto Scaling group and the self-managed one; another cluster's group in the account is left out.
    expect(jsonCopy(snapshot.aws.autoScalingGroups)).toEqual(sample.aws.autoScalingGroups);
    expect(snapshot.aws.autoScalingGroups?.map((g) => g.AutoScalingGroupName)).not.toContain('other-cluster-workers');
    const asgCalls = aws.calls.filter((c) => c.command === 'DescribeAutoScalingGroups');
    expect(asgCalls[0]!.input).toMatchObject({ Filters: [{ Name: 'tag-key', Values: ['kubernetes.io/cluster/karpenter-growth'] }] });
    const access = auditorAccess();
    const nodePoolReads = kube.requests.filter((r) => r.path === '/apis/karpenter.sh/v1/nodepools');
    expect(nodePoolReads.length).toBeGreaterThan(0);
    for (const request of nodePoolReads) expect(allowsRequest(access, request.path, request.query)).toBe(true);
    const growth = assess(snapshot).facts.growth;
    expect(growth.maxNodes).toBe(113);
    expect(growth.sources.map((g) => `${g.kind} ${g.name}: ${g.limit}`)).toEqual([
      'managed node group system: 3',
      'self-managed Auto Scaling group karpenter-growth-legacy-batch: 10',
      'Karpenter NodePool default: 100',
    ]);
  });

  it('reads a cluster without Karpenter (karpenter.sh not served) as having no NodePools, never as an error', async () => {
    const { snapshot, kube } = await collectFrom(sampleDocument('reference-crosssubnet'));
    expect(snapshot.kubernetes.karpenterNodePools).toEqual([]);
    expect(errorFor(snapshot, 'kubernetes:nodepools.karpenter.sh')).toBeUndefined();
    expect(kube.requests.some((r) => r.path.startsWith('/apis/karpenter.sh'))).toBe(false);
    expect(assess(snapshot).facts.growth.maxNodes).toBe(12);
  });

  it('records a NodePool list the ClusterRole does not grant as Forbidden: growth is unknown, and the mesh rule says so instead of passing', async () => {
    const sample = sampleDocument('karpenter-growth');
    // A mesh-sized cluster: on the limits alone (113) CAL-BGP-01 would fail, so shrink the bounded groups below 50.
    sample.aws.autoScalingGroups![1]!.MaxSize = 2;
    const { snapshot } = await collectFrom(sample, { forbidden: ['/apis/karpenter.sh/v1/nodepools'] });
    expect(snapshot.kubernetes.karpenterNodePools).toBeNull();
    expect(errorFor(snapshot, 'kubernetes:nodepools.karpenter.sh')).toMatchObject({ code: 'Forbidden', message: stringContaining('cannot list resource "nodepools" in API group "karpenter.sh"') });
    const assessment = assess(snapshot);
    expect(assessment.facts.growth.maxNodes).toBeNull();
    expect(assessment.facts.growth.missing).toContain('kubernetes.karpenterNodePools');
    const mesh = assessment.checks.find((c) => c.id === 'CAL-BGP-01')!;
    expect(mesh.status).toBe('unknown');
    expect(mesh.summary).toContain('kubernetes:nodepools.karpenter.sh was not collected (Forbidden)');
    expect(mesh.evidence.find((e) => e.field === 'kubernetes:nodepools.karpenter.sh')?.causes?.[0]?.code).toBe('Forbidden');
  });

  it('records a denied DescribeAutoScalingGroups as AccessDenied and a null list: growth is unknown, never the managed groups alone', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const { snapshot } = await collectFrom(sample, {}, { denied: ['DescribeAutoScalingGroups'] });
    expect(snapshot.aws.autoScalingGroups).toBeNull();
    expect(errorFor(snapshot, 'autoscaling:DescribeAutoScalingGroups')).toMatchObject({
      code: 'AccessDenied',
      message: stringContaining('autoscaling:DescribeAutoScalingGroups'),
    });
    expect(snapshot.errors).toHaveLength(1);
    const assessment = assess(snapshot);
    expect(assessment.facts.growth).toMatchObject({ maxNodes: null, missing: ['aws.autoScalingGroups'] });
    expect(assessment.checks.find((c) => c.id === 'CAL-BGP-01')?.status).toBe('unknown');
    expect(assessment.checks.find((c) => c.id === 'CAL-IPAM-01')?.status).toBe('unknown');
  });
});

describe('load on the API server', () => {
  it('keeps at most 6 requests in flight and reuses its connections instead of opening one per list', async () => {
    const { snapshot, kube } = await collectFrom(sampleDocument('enterprise-vxlan'), { delayMs: 20 }, {}, { pageSize: 7 });
    expect(snapshot.errors).toEqual([]);
    expect(kube.requests.length).toBeGreaterThan(20);
    expect(kube.load.peakInFlight).toBeLessThanOrEqual(6);
    expect(kube.load.peakInFlight).toBeGreaterThan(1); // independent lists still go out together
    expect(kube.load.connections).toBeLessThanOrEqual(6);
  });
});

describe('collection failures are data', () => {
  it('records a 403 on one resource as an error and a null list, and reads the rest', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const { snapshot } = await collectFrom(sample, { forbidden: ['/apis/crd.projectcalico.org/v1/bgpconfigurations'] });
    expect(snapshot.calico.bgpConfigurations).toBeNull();
    expect(errorFor(snapshot, 'calico:bgpconfigurations')).toMatchObject({ code: 'Forbidden', message: stringContaining('cannot list resource "bgpconfigurations"') });
    expect(snapshot.errors).toHaveLength(1);
    expect(snapshot.calico.ippools).toEqual(trimmed(sample).calico.ippools);
    expect(snapshot.kubernetes.nodes).toHaveLength(sample.kubernetes.nodes!.length);
    const check = assess(snapshot).checks.find((c) => c.evidence.some((e) => e.field === 'calico:bgpconfigurations'));
    expect(check?.status).toBe('unknown');
  });

  it('records an absent Calico CRD group (404) for every Calico list, which stay null', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const { snapshot } = await collectFrom(sample, { absentGroups: ['crd.projectcalico.org'] });
    expect(snapshot.calico.apiGroup).toBeNull();
    for (const field of ['ippools', 'ipamBlocks', 'felixConfigurations', 'tiers', 'globalNetworkPolicies'] as const) expect(snapshot.calico[field]).toBeNull();
    expect(errorFor(snapshot, 'calico:ippools')?.code).toBe('NotFound');
    expect(errorFor(snapshot, 'calico:ipamblocks')?.code).toBe('NotFound');
    expect(snapshot.kubernetes.pods).toHaveLength(sample.kubernetes.pods!.length);
  });

  it('reads the Kubernetes admin policy lists as empty, not as a collection error, when their CRDs are not installed, and still judges policy', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const { snapshot } = await collectFrom(sample, { absentGroups: ['policy.networking.k8s.io'] });
    expect(snapshot.kubernetes.adminNetworkPolicies).toEqual([]);
    expect(snapshot.kubernetes.baselineAdminNetworkPolicies).toEqual([]);
    expect(snapshot.errors).toEqual([]);
    // An API that is not served holds no policy: the verdicts do not wait on it.
    const checks = assess(snapshot).checks.filter((c) => c.area === 'POL');
    expect(checks.map((c) => c.status)).toEqual(assess(validateSnapshot(sample, 'sample')).checks.filter((c) => c.area === 'POL').map((c) => c.status));
    expect(checks.every((c) => c.status !== 'unknown')).toBe(true);
  });

  it('reads ClusterNetworkPolicy (v1alpha2) into the admin policy list where that version is served, and the baseline list is then empty', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const cnp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'deny-imds' },
      spec: { tier: 'Admin', priority: 10, subject: { namespaces: {} }, egress: [{ name: 'imds', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }] },
    };
    sample['kubernetes'].adminNetworkPolicies = [cnp];
    sample['kubernetes'].baselineAdminNetworkPolicies = [];
    const { snapshot, kube } = await collectFrom(sample);
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.kubernetes.adminNetworkPolicies).toEqual([cnp]);
    expect(snapshot.kubernetes.baselineAdminNetworkPolicies).toEqual([]);
    expect(kube.requests.some((r) => r.path === '/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies')).toBe(true);
    expect(kube.requests.some((r) => r.path.includes('/v1alpha1/'))).toBe(false);
  });

  it('lists the EndpointSlices of kube-dns and kubernetes per namespace by service name, and gets the two Services by name', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const { snapshot, kube } = await collectFrom(sample);
    const slices = kube.requests.filter((r) => r.path.endsWith('/endpointslices'));
    expect(slices.map((r) => [r.path, r.query['labelSelector']])).toEqual([
      ['/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', 'kubernetes.io/service-name=kubernetes'],
      ['/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices', 'kubernetes.io/service-name=kube-dns'],
    ]);
    expect(kube.requests.filter((r) => r.path.includes('/services/')).map((r) => r.path)).toEqual([
      '/api/v1/namespaces/default/services/kubernetes',
      '/api/v1/namespaces/kube-system/services/kube-dns',
    ]);
    expect(snapshot.kubernetes.services!.map((s) => s.metadata?.name)).toEqual(['kubernetes', 'kube-dns']);
  });

  it('reports a missing tier grant as a Forbidden error, never as a shorter policy list', async () => {
    const sample = sampleDocument('enterprise-vxlan');
    const { snapshot, kube } = await collectFrom(sample, { deniedTiers: ['namespace-isolation'] });
    expect(snapshot.calico.networkPolicies).toBeNull();
    expect(errorFor(snapshot, 'calico:networkpolicies')).toMatchObject({ code: 'Forbidden', message: stringContaining('tier "namespace-isolation"') });
    // Every tier is named in the selector, so the server must authorise each one.
    const tiers = sample.calico.tiers!.map((t) => t.metadata!.name);
    const request = kube.requests.find((r) => r.path === '/apis/projectcalico.org/v3/networkpolicies')!;
    expect(request.query['labelSelector']).toBe(`projectcalico.org/tier in (${tiers.join(',')})`);
  });

  it('does not read tiered policies at all when the tiers cannot be listed', async () => {
    const sample = sampleDocument('enterprise-vxlan');
    const { snapshot, kube } = await collectFrom(sample, { forbidden: ['/apis/projectcalico.org/v3/tiers'] });
    expect(snapshot.calico.tiers).toBeNull();
    expect(snapshot.calico.networkPolicies).toBeNull();
    expect(snapshot.calico.globalNetworkPolicies).toBeNull();
    expect(errorFor(snapshot, 'calico:globalnetworkpolicies')?.code).toBe('TiersUnreadable');
    expect(kube.requests.some((r) => r.path.endsWith('/globalnetworkpolicies'))).toBe(false);
  });

  it('retries a throttled (429) list and keeps its objects', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const { snapshot, kube } = await collectFrom(sample, { throttle: { '/api/v1/namespaces': 2 } });
    expect(snapshot.kubernetes.namespaces).toHaveLength(sample.kubernetes.namespaces!.length);
    expect(kube.requests.filter((r) => r.path === '/api/v1/namespaces')).toHaveLength(3);
    expect(snapshot.errors).toEqual([]);
  });

  it('records throttling that outlasts the retries as TooManyRequests', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const { snapshot } = await collectFrom(sample, { throttle: { '/api/v1/namespaces': 99 } });
    expect(snapshot.kubernetes.namespaces).toBeNull();
    expect(errorFor(snapshot, 'kubernetes:namespaces')).toMatchObject({ code: 'TooManyRequests', message: stringContaining('after 3 attempts') });
  });

  it('gives an AWS-only snapshot when the cluster endpoint cannot be reached, finding instances by cluster tag', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const clients = testAwsClients();
    const aws = mockAwsFromSnapshot(sample, clients, { endpoint: `https://127.0.0.1:${closed}`, caData: Buffer.from('not used').toString('base64') });
    open.push({ aws });
    const snapshot = await collectSnapshot(
      { clusterName: 'reference-crosssubnet', region: 'eu-west-2', now: () => new Date(sample.collectedAt) },
      { aws: clients, credentials: fakeCredentials },
    );
    expect(() => validateSnapshot(JSON.parse(JSON.stringify(snapshot)), 'aws-only')).not.toThrow();
    for (const value of Object.values(snapshot.kubernetes)) expect(value).toBeNull();
    expect(snapshot.calico.ippools).toBeNull();
    expect(errorFor(snapshot, 'kubernetes:nodes')?.code).toBe('ECONNREFUSED');
    expect(errorFor(snapshot, 'calico:ippools')?.code).toBe('ECONNREFUSED');
    // Instances come from the kubernetes.io/cluster/<name> tag instead of the nodes' provider ids.
    const describe = aws.calls.find((c) => c.command === 'DescribeInstances')!;
    expect(describe.input['Filters']).toContainEqual({ Name: 'tag-key', Values: ['kubernetes.io/cluster/reference-crosssubnet'] });
    expect(JSON.parse(JSON.stringify(snapshot.aws.instances))).toEqual(sample.aws.instances);
    expect(JSON.parse(JSON.stringify(snapshot.aws.securityGroups))).toEqual(sample.aws.securityGroups);
    // The EKS checks still judge; nothing that needed the Kubernetes side passes.
    const checks = assess(snapshot).checks;
    expect(checks.filter((c) => c.id.startsWith('EKS-')).every((c) => c.status === 'pass' || c.status === 'fail')).toBe(true);
    expect(checks.filter((c) => c.id.startsWith('CAL-')).every((c) => c.status === 'unknown' || c.status === 'not_applicable')).toBe(true);
  });

  it('records a token the API server rejects as Unauthorized for every Kubernetes source', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const kube = await startFakeKube({ snapshot: sample });
    const clients = testAwsClients();
    const aws = mockAwsFromSnapshot(sample, clients, { endpoint: kube.url, caData: kube.caData });
    open.push({ kube, aws });
    const { createKubeApi } = await import('../../src/collect/kube/client.js');
    const snapshot = await collectSnapshot(
      { clusterName: 'reference-crosssubnet', region: 'eu-west-2', now: () => new Date(sample.collectedAt) },
      { aws: clients, credentials: fakeCredentials, connectKube: () => Promise.resolve(createKubeApi({ server: kube.url, caData: kube.caData, token: 'not-an-eks-token' })) },
    );
    expect(errorFor(snapshot, 'kubernetes:pods')?.code).toBe('Unauthorized');
    expect(errorFor(snapshot, 'kubernetes:version')?.code).toBe('Unauthorized');
    expect(snapshot.aws.instances).toHaveLength(sample.aws.instances!.length);
  });
});

describe('what is kept', () => {
  it('trims pods to the fields snapshot.md lists, so container specs and their env never reach the snapshot', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const enriched = sample.kubernetes.pods!.map((pod) => ({
      ...pod,
      metadata: { ...pod.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, uid: 'x', resourceVersion: '1' },
      spec: {
        ...fieldsOf(pod.spec),
        // Only the ports' name, containerPort and protocol are kept (named ports in policy rules).
        containers: ((fieldsOf(pod.spec)['containers'] as Array<Record<string, unknown>> | undefined) ?? []).map((c) => ({
          name: 'app',
          image: 'app:1',
          env: [{ name: 'DB_PASSWORD', value: 'hunter2-not-for-snapshots' }],
          ...c,
          ...(Array.isArray(c['ports']) ? { ports: (c['ports'] as Array<Record<string, unknown>>).map((p) => ({ ...p, hostPort: 18080 })) } : {}),
        })),
        volumes: [{ name: 'token', projected: { sources: [] } }],
      },
      status: { ...fieldsOf(pod.status), conditions: [{ type: 'Ready', status: 'True' }], hostIP: '10.0.0.1' },
    }));
    const { snapshot } = await collectFrom(sample, { replace: { '/api/v1/pods': enriched } });
    expect(JSON.parse(JSON.stringify(snapshot.kubernetes.pods))).toEqual(sample.kubernetes.pods);
    expect(JSON.stringify(snapshot)).not.toContain('hunter2');
    expect(JSON.stringify(snapshot.kubernetes.pods)).not.toContain('hostPort');
    expect(snapshot.kubernetes.pods!.find((p) => p.metadata?.name?.startsWith('coredns-'))?.spec).toMatchObject({
      serviceAccountName: 'coredns',
      containers: [{ ports: [{ containerPort: 53, name: 'dns', protocol: 'UDP' }, { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' }, { containerPort: 9153, name: 'metrics', protocol: 'TCP' }] }],
    });
  });

  it('reads DaemonSets, Deployments and PDBs only in the Calico and system namespaces that exist, never cluster-wide', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const other = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'node-exporter', namespace: 'monitoring' }, spec: {} };
    const { snapshot, kube } = await collectFrom(sample, { extra: { '/apis/apps/v1/daemonsets': [other] } });
    expect(snapshot.kubernetes.daemonSets!.map((d) => d.metadata?.name)).toEqual(sample.kubernetes.daemonSets!.map((d) => d.metadata!.name));
    const workloadReads = kube.requests.filter((r) => /daemonsets|deployments|poddisruptionbudgets/.test(r.path)).map((r) => r.path);
    // A manifest install: kube-system exists, calico-system and tigera-operator do not, so only kube-system is asked.
    expect(sample.kubernetes.namespaces!.map((n) => n.metadata?.name)).not.toContain('calico-system');
    expect([...new Set(workloadReads)].sort()).toEqual([
      '/apis/apps/v1/namespaces/kube-system/daemonsets',
      '/apis/apps/v1/namespaces/kube-system/deployments',
      '/apis/policy/v1/namespaces/kube-system/poddisruptionbudgets',
    ]);
  });

  it('keeps the subnets and route tables of the cluster and its nodes, not the rest of the VPC', async () => {
    const sample = sampleDocument('reference-crosssubnet');
    const { snapshot } = await collectFrom(sample);
    expect(snapshot.aws.subnets!.map((s) => s.SubnetId)).toEqual(sample.aws.subnets!.map((s) => s.SubnetId));
    expect(snapshot.aws.routeTables!.map((t) => t.RouteTableId)).toEqual(sample.aws.routeTables!.map((t) => t.RouteTableId));
    expect(snapshot.aws.instances!.map((i) => i.InstanceId)).not.toContain('i-0f0f0f0f0f0f0ffff');
  });
});
