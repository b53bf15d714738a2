/** Kubernetes objects as the API server serves them: workloads, pods, PodDisruptionBudgets, nodes, namespaces, NetworkPolicies. */
import { calicoAnnotations } from '../calico/ipam.js';
import type { Cluster, NodeInfo } from '../cluster.js';
import { hexOf, kubeSuffix, kubeTime, MINUTE, numberOf, uuidOf } from '../deterministic.js';
import type { Json, KubePolicyPlan } from '../plan.js';
import { COLLECTED_NAMESPACES, CONTAINERD, instanceType, KERNEL, KUBE_NAMESPACES, OS_IMAGE } from '../reference-data.js';
import { nodeLabels } from './node-labels.js';
import type { PodInfo } from './pods.js';
import { podSpec, type WorkloadDef } from './workload-spec.js';

/** Lists sorted as the API server returns them: by namespace, then name (etcd key order). */
export function sortByName<T extends Json>(objects: T[]): T[] {
  const keyed = objects.map((object) => {
    const metadata = (object['metadata'] ?? {}) as Json;
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    return { key: `${text(metadata['namespace'])}/${text(metadata['name'])}`, object };
  });
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.object);
}

export function workloadObject(cluster: Cluster, def: WorkloadDef, pods: PodInfo[]): Json {
  const seed = cluster.seed(def.kind, def.namespace, def.name);
  const template = {
    metadata: {
      ...(def.templateAnnotations ? { annotations: def.templateAnnotations } : {}),
      creationTimestamp: null,
      labels: { ...def.selector },
    },
    spec: podSpec({ ...def.spec, ...(def.hostNetwork ? { hostNetwork: true } : {}) }),
  };
  const ready = pods.filter((p) => p.ready).length;
  const since = kubeTime(cluster.createdMs(seed, true) + 3 * MINUTE);
  const metadata = cluster.meta(def.kind, def.name, def.namespace, {
    generation: 1,
    labels: def.objectLabels ?? { ...def.selector },
    ...(def.ownerReferences ? { ownerReferences: def.ownerReferences } : {}),
  });
  if (def.kind === 'DaemonSet') {
    const desired = pods.length;
    return {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { ...metadata, annotations: { 'deprecated.daemonset.template.generation': '1', ...(def.objectAnnotations ?? {}) } },
      spec: {
        revisionHistoryLimit: 10,
        selector: { matchLabels: { ...def.selector } },
        template,
        updateStrategy: def.strategy ?? { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
      },
      status: {
        currentNumberScheduled: desired,
        desiredNumberScheduled: desired,
        numberAvailable: ready,
        numberMisscheduled: 0,
        numberReady: ready,
        ...(desired > ready ? { numberUnavailable: desired - ready } : {}),
        observedGeneration: 1,
        updatedNumberScheduled: desired,
      },
    };
  }
  const replicas = def.replicas ?? 1;
  const rsName = `${def.name}-${kubeSuffix(`${seed}/rs`, 10)}`;
  return {
    apiVersion: 'apps/v1',
    kind: def.kind,
    metadata: { ...metadata, annotations: { 'deployment.kubernetes.io/revision': '1', ...(def.objectAnnotations ?? {}) } },
    spec: {
      progressDeadlineSeconds: 600,
      replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { ...def.selector } },
      strategy: def.strategy ?? { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template,
    },
    status: {
      availableReplicas: ready,
      conditions: [
        {
          lastTransitionTime: since,
          lastUpdateTime: since,
          message: ready >= replicas ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
          reason: ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          status: ready >= replicas ? 'True' : 'False',
          type: 'Available',
        },
        {
          lastTransitionTime: since,
          lastUpdateTime: since,
          message: `ReplicaSet "${rsName}" has successfully progressed.`,
          reason: 'NewReplicaSetAvailable',
          status: 'True',
          type: 'Progressing',
        },
      ],
      observedGeneration: 1,
      readyReplicas: ready,
      replicas,
      updatedReplicas: replicas,
    },
  };
}

/** A Pod trimmed to the fields the snapshot keeps. */
export function podObject(cluster: Cluster, pod: PodInfo): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace: pod.namespace,
      labels: pod.labels,
      ownerReferences: [{ ...pod.owner, blockOwnerDeletion: true, controller: true }],
    },
    spec: { nodeName: pod.nodeName, ...(pod.hostNetwork ? { hostNetwork: true } : {}), serviceAccountName: pod.serviceAccount, containers: pod.containers },
    status: { phase: 'Running', podIP: pod.ip, podIPs: [{ ip: pod.ip }] },
  };
}

export function pdbObject(cluster: Cluster, namespace: string, name: string, selector: Record<string, string>, pods: PodInfo[], owner?: Json[]): Json {
  const healthy = pods.filter((p) => p.ready).length;
  const desiredHealthy = Math.max(0, pods.length - 1);
  const since = kubeTime(cluster.createdMs(cluster.seed('PodDisruptionBudget', namespace, name), true) + 4 * MINUTE);
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: cluster.meta('PodDisruptionBudget', name, namespace, {
      generation: 1,
      labels: { ...selector },
      ...(owner ? { ownerReferences: owner } : {}),
    }),
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...selector } } },
    status: {
      conditions: [
        {
          lastTransitionTime: since,
          message: '',
          observedGeneration: 1,
          reason: healthy > desiredHealthy ? 'SufficientPods' : 'InsufficientPods',
          status: healthy > desiredHealthy ? 'True' : 'False',
          type: 'DisruptionAllowed',
        },
      ],
      currentHealthy: healthy,
      desiredHealthy,
      disruptionsAllowed: Math.max(0, healthy - desiredHealthy),
      expectedPods: pods.length,
      observedGeneration: 1,
    },
  };
}

export function nodeObject(cluster: Cluster, node: NodeInfo): Json {
  const info = instanceType(node.nodegroup.instanceType);
  const maxPods = cluster.isCalicoCni ? 110 : info.enis * (info.ipsPerEni - 1) + 2;
  const memoryKi = info.memoryMiB * 1024 - 470_000 - numberOf(cluster.seed('mem', node.name), 4096);
  const reservedMemKi = (255 + 11 * maxPods) * 1024 + 100 * 1024;
  const cpuReserved = info.vcpu <= 2 ? 70 : info.vcpu <= 4 ? 80 : 90;
  const created = node.launchMs + 38_000 + numberOf(cluster.seed('registered', node.name), 20_000);
  const heartbeat = kubeTime(cluster.now - numberOf(cluster.seed('heartbeat', node.name), 4 * MINUTE));
  const since = kubeTime(created);
  const readySince = kubeTime(node.ready ? created + 21_000 : cluster.now - 47 * MINUTE);
  const condition = (type: string, status: string, reason: string, message: string, transition = since) => ({
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: transition,
    message,
    reason,
    status,
    type,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': node.ipv6 ?? node.ip,
        'csi.volume.kubernetes.io/nodeid': JSON.stringify({ 'ebs.csi.aws.com': node.instanceId }),
        'node.alpha.kubernetes.io/ttl': '0',
        ...calicoAnnotations(cluster, node),
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        ...(node.plan.annotations ?? {}),
      },
      creationTimestamp: kubeTime(created),
      labels: nodeLabels(cluster, node),
      name: node.name,
      resourceVersion: String(1_000_000 + numberOf(cluster.seed('node-rv', node.name), 90_000_000)),
      uid: uuidOf(cluster.seed('Node', node.name)),
    },
    spec: { providerID: `aws:///${node.subnet.plan.az}/${node.instanceId}` },
    status: {
      addresses: [
        // An IPv6 node reports its IPv6 address first, then its IPv4 one.
        ...(node.ipv6 ? [{ address: node.ipv6, type: 'InternalIP' }] : []),
        { address: node.ip, type: 'InternalIP' },
        { address: node.name, type: 'InternalDNS' },
        { address: node.name, type: 'Hostname' },
      ],
      allocatable: {
        cpu: `${info.vcpu * 1000 - cpuReserved}m`,
        'ephemeral-storage': '95491281146',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: `${memoryKi - reservedMemKi}Ki`,
        pods: String(maxPods),
      },
      capacity: {
        cpu: String(info.vcpu),
        'ephemeral-storage': '104779756Ki',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: `${memoryKi}Ki`,
        pods: String(maxPods),
      },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        node.ready
          ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', readySince)
          : condition('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', readySince),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: uuidOf(cluster.seed('boot', node.name)),
        containerRuntimeVersion: CONTAINERD,
        kernelVersion: KERNEL,
        kubeProxyVersion: '',
        kubeletVersion: `v${cluster.release.patch}-eks-${hexOf(`kubelet/${cluster.release.patch}`, 7)}`,
        machineID: hexOf(cluster.seed('machine', node.name), 32),
        operatingSystem: 'linux',
        osImage: OS_IMAGE,
        systemUUID: `ec2${uuidOf(cluster.seed('system-uuid', node.name)).slice(3)}`,
      },
    },
  };
}

export function namespaceObject(cluster: Cluster, name: string): Json {
  const labels: Record<string, string> = { 'kubernetes.io/metadata.name': name };
  if (name === 'calico-system' || name === 'tigera-operator' || name === 'calico-apiserver') {
    Object.assign(labels, { name, 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/enforce-version': 'latest' });
  }
  const system = KUBE_NAMESPACES.includes(name);
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: cluster.meta('Namespace', name, undefined, { labels }, system || COLLECTED_NAMESPACES.has(name)),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function kubePolicyObject(cluster: Cluster, policy: KubePolicyPlan): Json {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: cluster.meta('NetworkPolicy', policy.name, policy.namespace, { generation: 1, ...(policy.labels ? { labels: policy.labels } : {}) }, false),
    spec: policy.spec,
  };
}

/** A ClusterIP Service as the API server serves it. */
function serviceObject(cluster: Cluster, namespace: string, name: string, labels: Record<string, string>, clusterIP: string, ports: Json[], selector?: Record<string, string>): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: cluster.meta('Service', name, namespace, { labels }, true),
    spec: {
      clusterIP,
      clusterIPs: [clusterIP],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports,
      ...(selector ? { selector } : {}),
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  };
}

const KUBE_DNS_LABELS = { 'eks.amazonaws.com/component': 'kube-dns', 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };

/**
 * kube-dns and kubernetes, with their EndpointSlices: CoreDNS's pods behind the one, the EKS
 * control plane's network interfaces (two, in the cluster's subnets) behind the other.
 */
export function keyServiceObjects(cluster: Cluster, coreDns: PodInfo[], serviceCidr: string, apiServerAddresses: string[]): { services: Json[]; endpointSlices: Json[] } {
  const base = serviceCidr.split('/')[0]!.split('.').map(Number);
  const at = (last: number) => [...base.slice(0, 3), base[3]! + last].join('.');
  const dnsPorts = [
    { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
    { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
    { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
  ];
  const services = [
    serviceObject(cluster, 'default', 'kubernetes', { component: 'apiserver', provider: 'kubernetes' }, at(1), [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }]),
    serviceObject(cluster, 'kube-system', 'kube-dns', KUBE_DNS_LABELS, at(10), dnsPorts, { 'k8s-app': 'kube-dns' }),
  ];
  const owner = (name: string, namespace: string) => [
    { apiVersion: 'v1', blockOwnerDeletion: true, controller: true, kind: 'Service', name, uid: uuidOf(cluster.seed('Service', namespace, name)) },
  ];
  const dnsSliceName = `kube-dns-${kubeSuffix(cluster.seed('EndpointSlice', 'kube-system', 'kube-dns'), 5)}`;
  const endpointSlices = [
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: cluster.meta('EndpointSlice', 'kubernetes', 'default', {
        generation: 1,
        labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io', 'kubernetes.io/service-name': 'kubernetes' },
      }),
      addressType: 'IPv4',
      endpoints: apiServerAddresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
      ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: cluster.meta('EndpointSlice', dnsSliceName, 'kube-system', {
        generation: 1,
        labels: { ...KUBE_DNS_LABELS, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': 'kube-dns' },
        ownerReferences: owner('kube-dns', 'kube-system'),
      }),
      addressType: 'IPv4',
      endpoints: coreDns.map((pod) => ({
        addresses: [pod.ip],
        conditions: { ready: pod.ready, serving: pod.ready, terminating: false },
        nodeName: pod.nodeName,
        targetRef: { kind: 'Pod', name: pod.name, namespace: pod.namespace, uid: uuidOf(cluster.seed('Pod', pod.namespace, pod.name)) },
      })),
      ports: [
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    },
  ];
  return { services, endpointSlices };
}

/** An AdminNetworkPolicy or BaselineAdminNetworkPolicy (network-policy-api v1alpha1) as the API server serves the CRD. */
export function adminPolicyObject(cluster: Cluster, kind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy', name: string, spec: Json): Json {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind,
    metadata: cluster.meta(kind, name, undefined, { generation: 1 }, false),
    spec,
  };
}
