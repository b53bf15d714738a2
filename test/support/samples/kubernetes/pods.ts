/**
 * Running workloads: pods scheduled onto nodes as the scheduler and the controllers would (names,
 * owner references, spread), each given an address by the cluster's CNI.
 */
import { allocateEniAddress, allocateIpv6PodAddress } from '../aws/ec2.js';
import { allocatePodAddress } from '../calico/ipam.js';
import type { Cluster, NodeInfo } from '../cluster.js';
import { kubeSuffix, numberOf, uuidOf } from '../deterministic.js';
import type { Json, WorkloadKind } from '../plan.js';

/** A pod as the snapshot keeps it, before trimming to the collected fields. */
export interface PodInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  owner: { apiVersion: string; kind: string; name: string; uid: string };
  nodeName: string;
  hostNetwork: boolean;
  ip: string;
  ready: boolean;
  serviceAccount: string;
  /** Each container's ports (name, containerPort, protocol), as the pod spec declares them. */
  containers: Json[];
}

/** What a pod's template says about it beyond labels: its service account and its containers' ports. */
export interface PodTemplate {
  serviceAccount: string;
  containers: Json[];
}

/** A pod's address: the node's own on the host network, otherwise whatever the cluster's CNI hands out. */
function podAddress(cluster: Cluster, node: NodeInfo, namespace: string, name: string, hostNetwork: boolean, workload: string): string {
  if (hostNetwork) return cluster.plan.ipv6 ? (node.ipv6 ?? node.ip) : node.ip;
  if (cluster.isCalicoCni) return allocatePodAddress(cluster, node, namespace, name, workload);
  if (cluster.plan.ipv6) return allocateIpv6PodAddress(node);
  if (cluster.calico?.cni === 'AmazonVPC' || !cluster.calico) return allocateEniAddress(node, namespace, name);
  throw new Error('unreachable');
}

function schedule(cluster: Cluster, kind: WorkloadKind, namespace: string, name: string, replicas: number): Array<{ node: NodeInfo; podName: string }> {
  const seed = cluster.seed(kind, namespace, name);
  if (kind === 'DaemonSet') {
    return cluster.nodes.map((node) => ({ node, podName: uniquePodName(cluster, namespace, (salt) => `${name}-${kubeSuffix(`${seed}/${node.name}${salt}`, 5)}`) }));
  }
  const ready = cluster.nodes.filter((n) => n.ready);
  const pool = ready.length ? ready : cluster.nodes;
  // Spread replicas as anti-affinity would, from a start that differs per workload.
  const start = numberOf(`${seed}/start`, pool.length);
  const step = Math.max(1, Math.floor(pool.length / Math.max(1, replicas)));
  const hash = kubeSuffix(`${seed}/rs`, 10);
  return Array.from({ length: replicas }, (_, i) => ({
    node: pool[(start + i * step) % pool.length]!,
    podName: kind === 'StatefulSet' ? `${name}-${i}` : uniquePodName(cluster, namespace, (salt) => `${name}-${hash}-${kubeSuffix(`${seed}/${i}${salt}`, 5)}`),
  }));
}

/** Five random characters collide now and then at thousands of pods; the API server would retry, so do we. */
function uniquePodName(cluster: Cluster, namespace: string, make: (salt: string) => string): string {
  for (let attempt = 0; ; attempt++) {
    const name = make(attempt ? `#${attempt}` : '');
    const key = `${namespace}/${name}`;
    if (!cluster.podNames.has(key)) {
      cluster.podNames.add(key);
      return name;
    }
  }
}

/** Creates the pods of a workload (assigning addresses) and returns them. */
export function runWorkload(
  cluster: Cluster,
  kind: WorkloadKind,
  namespace: string,
  name: string,
  selector: Record<string, string>,
  replicas: number,
  hostNetwork: boolean,
  template: PodTemplate,
): PodInfo[] {
  const seed = cluster.seed(kind, namespace, name);
  const uid = uuidOf(seed);
  const rsHash = kubeSuffix(`${seed}/rs`, 10);
  const revision = kubeSuffix(`${seed}/revision`, 10);
  const pods: PodInfo[] = [];
  for (const [i, { node, podName }] of schedule(cluster, kind, namespace, name, replicas).entries()) {
    const labels: Record<string, string> = { ...selector };
    let owner: PodInfo['owner'];
    if (kind === 'Deployment') {
      labels['pod-template-hash'] = rsHash;
      owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-${rsHash}`, uid: uuidOf(`${seed}/replicaset`) };
    } else if (kind === 'DaemonSet') {
      Object.assign(labels, { 'controller-revision-hash': revision, 'pod-template-generation': '1' });
      owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid };
    } else {
      Object.assign(labels, {
        'apps.kubernetes.io/pod-index': String(i),
        'controller-revision-hash': `${name}-${revision}`,
        'statefulset.kubernetes.io/pod-name': podName,
      });
      owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid };
    }
    const pod: PodInfo = {
      namespace,
      name: podName,
      labels,
      owner,
      nodeName: node.name,
      hostNetwork,
      ip: podAddress(cluster, node, namespace, podName, hostNetwork, name),
      ready: node.ready,
      serviceAccount: template.serviceAccount,
      containers: template.containers,
    };
    pods.push(pod);
    cluster.pods.push(pod);
  }
  return pods;
}
