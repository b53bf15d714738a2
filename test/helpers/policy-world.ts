/**
 * Small clusters for policy tests: a few pods in a few namespaces, the policies a test names, and
 * the reachability model over them. Pods are `namespace/app` (label `app: <app>`); each gets an
 * address in 10.244.0.0/16, its service account and container ports as given.
 */
import { normalize } from '../../src/assess/normalize/index.js';
import { reachAnalysis, type FlowResult, type ReachAnalysis } from '../../src/assess/reach/analysis.js';
import type { Endpoint, WorkloadEndpoint } from '../../src/assess/reach/match.js';
import type { Protocol } from '../../src/assess/reach/ports.js';
import { validateSnapshot } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { emptySnapshot } from './minimal-snapshot.js';

type Json = Record<string, unknown>;

export interface PodSpec {
  labels?: Record<string, string>;
  serviceAccount?: string;
  ports?: Array<{ name: string; containerPort: number; protocol?: 'TCP' | 'UDP' }>;
  ip?: string;
}

export interface WorldSpec {
  /** `namespace/app` → pod; every namespace named here exists. */
  pods: Record<string, PodSpec>;
  /** Extra labels per namespace. */
  namespaceLabels?: Record<string, Record<string, string>>;
  /** Tiers beyond Calico's own (adminnetworkpolicy 1000 Pass, default 1,000,000 Deny, baselineadminnetworkpolicy 10,000,000 Pass). */
  tiers?: Array<{ name: string; order?: number; defaultAction?: 'Deny' | 'Pass' }>;
  /** projectcalico.org/v3 specs: `[name, spec]`, tier in the spec. */
  globalPolicies?: Array<[string, Json]>;
  /** `[namespace/name, spec]`. */
  networkPolicies?: Array<[string, Json]>;
  /** networking.k8s.io/v1: `[namespace/name, spec]`. */
  kubernetesPolicies?: Array<[string, Json]>;
  adminPolicies?: Array<[string, Json]>;
  baselinePolicies?: Array<[string, Json]>;
  clusterPolicies?: Array<[string, Json]>;
  globalNetworkSets?: Array<[string, Record<string, string>, string[]]>;
  networkSets?: Array<[string, Record<string, string>, string[]]>;
  stagedGlobalPolicies?: Array<[string, Json]>;
  /** kube-dns's EndpointSlice points at these pods (`namespace/app`). */
  dnsPods?: string[];
  /** Change the document before it is validated. */
  patch?: (document: Snapshot) => void;
}

export function worldSnapshot(spec: WorldSpec): Snapshot {
  const document = emptySnapshot({ clusterName: 'policy-world' });
  const k = document['kubernetes'];
  const c = document['calico'];
  c.apiGroup = 'projectcalico.org/v3';
  const namespaces = new Set(Object.keys(spec.pods).map((p) => p.split('/')[0]!));
  for (const [name] of [...(spec.networkPolicies ?? []), ...(spec.kubernetesPolicies ?? [])]) namespaces.add(name.split('/')[0]!);
  k.namespaces = [...namespaces].sort().map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...(spec.namespaceLabels?.[name] ?? {}) } },
  }));
  k.pods = Object.entries(spec.pods).map(([key, pod], i) => {
    const [namespace, app] = key.split('/') as [string, string];
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${app}-7d9f8b6c5d-${String(i).padStart(5, 'x')}`, namespace, labels: { app, ...(pod.labels ?? {}) }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7d9f8b6c5d` }] },
      spec: { nodeName: 'node-1', serviceAccountName: pod.serviceAccount ?? 'default', containers: [{ ports: (pod.ports ?? []).map((p) => ({ protocol: 'TCP', ...p })) }] },
      status: { phase: 'Running', podIP: pod.ip ?? `10.244.${Math.floor(i / 200)}.${(i % 200) + 10}`, podIPs: [{ ip: pod.ip ?? `10.244.${Math.floor(i / 200)}.${(i % 200) + 10}` }] },
    };
  });
  const tiers = [
    { name: 'adminnetworkpolicy', order: 1000, defaultAction: 'Pass' },
    { name: 'default', order: 1_000_000, defaultAction: 'Deny' },
    { name: 'baselineadminnetworkpolicy', order: 10_000_000, defaultAction: 'Pass' },
    ...(spec.tiers ?? []),
  ];
  c.tiers = tiers.map((t) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: t.name }, spec: { ...(t.order !== undefined ? { order: t.order } : {}), defaultAction: t.defaultAction ?? 'Deny' } }));
  c.globalNetworkPolicies = (spec.globalPolicies ?? []).map(([name, s]) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec: s }));
  c.networkPolicies = (spec.networkPolicies ?? []).map(([key, s]) => {
    const [namespace, name] = key.split('/') as [string, string];
    return { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: s };
  });
  k.networkPolicies = (spec.kubernetesPolicies ?? []).map(([key, s]) => {
    const [namespace, name] = key.split('/') as [string, string];
    return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: s };
  });
  k.adminNetworkPolicies = [
    ...(spec.adminPolicies ?? []).map(([name, s]) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name }, spec: s })),
    ...(spec.clusterPolicies ?? []).map(([name, s]) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec: s })),
  ];
  k.baselineAdminNetworkPolicies = (spec.baselinePolicies ?? []).map(([name, s]) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name }, spec: s }));
  c.globalNetworkSets = (spec.globalNetworkSets ?? []).map(([name, labels, nets]) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name, labels }, spec: { nets } }));
  c.networkSets = (spec.networkSets ?? []).map(([key, labels, nets]) => {
    const [namespace, name] = key.split('/') as [string, string];
    return { apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name, namespace, labels }, spec: { nets } };
  });
  c.stagedGlobalNetworkPolicies = (spec.stagedGlobalPolicies ?? []).map(([name, s]) => ({ apiVersion: 'projectcalico.org/v3', kind: 'StagedGlobalNetworkPolicy', metadata: { name }, spec: s }));
  if (spec.dnsPods) {
    k.services = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '172.20.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] } }];
    const pods = (k.pods ?? []).filter((p) => spec.dnsPods!.includes(`${p.metadata?.namespace}/${p.metadata?.labels?.['app']}`));
    k.endpointSlices = [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'kube-dns-abcde', namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'kube-dns' } },
        addressType: 'IPv4',
        endpoints: pods.map((p) => ({ addresses: [(p.status as { podIP?: string } | undefined)?.podIP], conditions: { ready: true }, targetRef: { kind: 'Pod', name: p.metadata?.name, namespace: p.metadata?.namespace } })),
        ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }],
      },
    ];
  }
  spec.patch?.(document);
  return validateSnapshot(document, 'policy world');
}

export interface World {
  analysis: ReachAnalysis;
  /** The group of pods `namespace/app`. */
  pod(key: string): WorkloadEndpoint;
  address(text: string): Endpoint;
  flow(from: string, to: string, port: `${number}/${'tcp' | 'udp' | 'sctp'}`): FlowResult;
}

export function world(spec: WorldSpec): World {
  const analysis = reachAnalysis(normalize(worldSnapshot(spec)))!;
  const pod = (key: string) => {
    const [namespace, app] = key.split('/') as [string, string];
    const found = (analysis.cluster.byNamespace.get(namespace) ?? []).find((g) => g.labels['app'] === app);
    if (!found) throw new Error(`no pod ${key}`);
    return found;
  };
  const endpoint = (text: string): Endpoint => (/^\d/.test(text) ? analysis.cluster.address(text, text)! : pod(text));
  return {
    analysis,
    pod,
    address: endpoint,
    flow(from, to, port) {
      const [number, protocol] = port.split('/') as [string, string];
      return analysis.flow(endpoint(from), endpoint(to), protocol.toUpperCase() as Protocol, Number(number));
    },
  };
}
