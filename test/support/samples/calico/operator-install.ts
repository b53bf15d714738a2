/** Calico installed by the Tigera operator: the operator's and calico-system's workloads, and the `Installation` it reconciles. */
import type { Cluster } from '../cluster.js';
import { DAY, hexOf, kubeTime, numberOf, uuidOf } from '../deterministic.js';
import { container, CRITICAL_TOLERATIONS, env, probe, type EnvSource, type WorkloadDef } from '../kubernetes/workload-spec.js';
import type { CalicoPlan, Json, PoolPlan } from '../plan.js';
import { COLLECTED_NAMESPACES, OPERATOR_VERSIONS } from '../reference-data.js';
import { calicoImage, minorOf } from './images.js';

/** Encapsulation overheads Calico subtracts from the network MTU (AWS jumbo frames: 9001). */
function autoDetectedMtu(calico: CalicoPlan): number {
  const network = 9001;
  if (calico.wireguard) return network - 60;
  if (calico.pools.some((p) => p.vxlanMode !== 'Never')) return network - 50;
  if (calico.pools.some((p) => p.ipipMode !== 'Never')) return network - 20;
  return network;
}

/** The operator's name for a pool's encapsulation. */
function operatorEncapsulation(pool: PoolPlan): string {
  if (pool.ipipMode === 'Always') return 'IPIP';
  if (pool.ipipMode === 'CrossSubnet') return 'IPIPCrossSubnet';
  if (pool.vxlanMode === 'Always') return 'VXLAN';
  if (pool.vxlanMode === 'CrossSubnet') return 'VXLANCrossSubnet';
  return 'None';
}

export function operatorWorkloads(cluster: Cluster): WorkloadDef[] {
  const calico = cluster.calico!;
  const minor = minorOf(calico.version);
  const operatorVersion = OPERATOR_VERSIONS[minor] ?? 'v1.40.4';
  const installationOwner = [
    {
      apiVersion: 'operator.tigera.io/v1',
      blockOwnerDeletion: true,
      controller: true,
      kind: 'Installation',
      name: 'default',
      uid: uuidOf(cluster.seed('Installation', '', 'default')),
    },
  ];
  const hashes = (...names: string[]) => Object.fromEntries(names.map((n) => [`hash.operator.tigera.io/${n}`, hexOf(cluster.seed('hash', n), 40)]));
  const calicoCni = calico.cni === 'Calico';
  const backend = !calicoCni ? 'none' : calico.bgp ? 'bird' : 'vxlan';
  const mtu = calico.mtu ? String(calico.mtu) : null;
  const nodeEnv: Array<[string, EnvSource]> = [
    ['DATASTORE_TYPE', 'kubernetes'],
    ['WAIT_FOR_DATASTORE', 'true'],
    ['CLUSTER_TYPE', `k8s,operator,ecs${calicoCni ? ',bgp' : ''}`],
    ['CALICO_DISABLE_FILE_LOGGING', 'false'],
    ['FELIX_DEFAULTENDPOINTTOHOSTACTION', 'ACCEPT'],
    ['FELIX_HEALTHENABLED', 'true'],
    ['FELIX_HEALTHPORT', '9099'],
    ['NODENAME', { field: 'spec.nodeName' }],
    ['NAMESPACE', { field: 'metadata.namespace' }],
    ['FELIX_TYPHAK8SNAMESPACE', 'calico-system'],
    ['FELIX_TYPHAK8SSERVICENAME', 'calico-typha'],
    ['FELIX_TYPHACAFILE', '/etc/pki/tls/certs/tigera-ca-bundle.crt'],
    ['FELIX_TYPHACERTFILE', '/node-certs/tls.crt'],
    ['FELIX_TYPHAKEYFILE', '/node-certs/tls.key'],
    ['FIPS_MODE_ENABLED', 'false'],
    ['NO_DEFAULT_POOLS', 'true'],
    ['FELIX_TYPHACN', 'typha-server'],
    ...(calicoCni ? [['CALICO_MANAGE_CNI', 'true'] as [string, EnvSource]] : []),
    ['CALICO_NETWORKING_BACKEND', backend],
    ['IP', 'autodetect'],
    ['IP_AUTODETECTION_METHOD', 'first-found'],
    ['IP6', 'none'],
    ['FELIX_IPV6SUPPORT', 'false'],
    ...(mtu
      ? ([
          ['FELIX_IPINIPMTU', mtu],
          ['FELIX_VXLANMTU', mtu],
          ['FELIX_WIREGUARDMTU', mtu],
        ] as Array<[string, EnvSource]>)
      : []),
    ...(calicoCni
      ? []
      : ([
          ['FELIX_INTERFACEPREFIX', 'eni'],
          ['FELIX_IPTABLESMANGLEALLOWACTION', 'Return'],
          ['FELIX_ROUTESOURCE', 'WorkloadIPs'],
          ['FELIX_BPFEXTTOSERVICECONNMARK', '0x80'],
        ] as Array<[string, EnvSource]>)),
    ...(cluster.enterprise
      ? ([
          ['FELIX_PROMETHEUSREPORTERENABLED', 'true'],
          ['FELIX_PROMETHEUSREPORTERPORT', '9081'],
          ['FELIX_FLOWLOGSFILEENABLED', 'true'],
          ['FELIX_FLOWLOGSFILEINCLUDELABELS', 'true'],
          ['FELIX_FLOWLOGSFILEINCLUDEPOLICIES', 'true'],
          ['FELIX_FLOWLOGSENABLENETWORKSETS', 'true'],
          ['FELIX_DNSLOGSFILEENABLED', 'true'],
          ['FELIX_DNSLOGSFILEPERNODELIMIT', '1000'],
        ] as Array<[string, EnvSource]>)
      : []),
  ];
  const bpfInit = container('ebpf-bootstrap', calicoImage(cluster, 'node'), {
    command: ['calico-node', '-init', '-best-effort'],
    securityContext: { capabilities: { drop: ['ALL'] }, privileged: true, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
    volumeMounts: [
      { mountPath: '/sys/fs', mountPropagation: 'Bidirectional', name: 'sys-fs' },
      { mountPath: '/var/run/calico', mountPropagation: 'Bidirectional', name: 'var-run-calico' },
      { mountPath: '/nodeproc', name: 'nodeproc', readOnly: true },
    ],
  });
  const cniInit = container('install-cni', calicoImage(cluster, 'cni'), {
    command: ['/opt/cni/bin/install'],
    env: env([
      ['CNI_CONF_NAME', '10-calico.conflist'],
      ['SLEEP', 'false'],
      ['CNI_NET_DIR', '/etc/cni/net.d'],
      ['CNI_NETWORK_CONFIG', { configMap: 'cni-config', key: 'config' }],
      ['KUBERNETES_NODE_NAME', { field: 'spec.nodeName' }],
    ]),
    securityContext: { privileged: true, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0 },
  });

  const defs: WorkloadDef[] = [
    {
      kind: 'Deployment',
      namespace: 'tigera-operator',
      name: 'tigera-operator',
      selector: { name: 'tigera-operator' },
      objectLabels: { 'k8s-app': 'tigera-operator' },
      replicas: 1,
      hostNetwork: true,
      collected: true,
      spec: {
        containers: [
          container('tigera-operator', `quay.io/tigera/operator:${operatorVersion}`, {
            args: ['-manage-crds=true'],
            command: ['operator'],
            env: env([
              ['WATCH_NAMESPACE', ''],
              ['POD_NAME', { field: 'metadata.name' }],
              ['OPERATOR_NAME', 'tigera-operator'],
              ['TIGERA_OPERATOR_INIT_IMAGE_VERSION', operatorVersion],
            ]),
            envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
          }),
        ],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        serviceAccount: 'tigera-operator',
        serviceAccountName: 'tigera-operator',
        tolerations: [{ effect: 'NoExecute', operator: 'Exists' }, { effect: 'NoSchedule', operator: 'Exists' }],
      },
    },
    {
      kind: 'DaemonSet',
      namespace: 'calico-system',
      name: 'calico-node',
      selector: { 'k8s-app': 'calico-node' },
      objectLabels: { 'app.kubernetes.io/name': 'calico-node', 'k8s-app': 'calico-node' },
      ownerReferences: installationOwner,
      hostNetwork: true,
      templateAnnotations: hashes('cni-config', 'system', 'tigera-ca-private', 'node-certs'),
      strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
      collected: true,
      spec: {
        containers: [
          container('calico-node', calicoImage(cluster, 'node'), {
            env: env(nodeEnv),
            envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
            lifecycle: { preStop: { exec: { command: ['/bin/calico-node', '-shutdown'] } } },
            livenessProbe: probe({ http: { host: 'localhost', path: '/liveness', port: 9099 } }, { timeout: 10 }),
            readinessProbe: probe({ exec: ['/bin/calico-node', ...(calico.bgp ? ['-bird-ready'] : []), '-felix-ready'] }, { timeout: 10 }),
            securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'] }, privileged: true, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
          }),
        ],
        initContainers: calicoCni ? [cniInit, bpfInit] : [bpfInit],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        priorityClassName: 'system-node-critical',
        serviceAccount: 'calico-node',
        serviceAccountName: 'calico-node',
        terminationGracePeriodSeconds: 5,
        tolerations: CRITICAL_TOLERATIONS,
      },
    },
    {
      kind: 'DaemonSet',
      namespace: 'calico-system',
      name: 'csi-node-driver',
      selector: { 'k8s-app': 'csi-node-driver' },
      objectLabels: { 'app.kubernetes.io/name': 'csi-node-driver', 'k8s-app': 'csi-node-driver' },
      ownerReferences: installationOwner,
      strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
      collected: true,
      spec: {
        containers: [
          container('calico-csi', calicoImage(cluster, 'csi'), {
            args: ['--nodeid=$(KUBE_NODE_NAME)', '--loglevel=$(LOG_LEVEL)'],
            env: env([['LOG_LEVEL', 'warn'], ['KUBE_NODE_NAME', { field: 'spec.nodeName' }]]),
            securityContext: { privileged: true },
          }),
          container('csi-node-driver-registrar', calicoImage(cluster, 'node-driver-registrar'), {
            args: ['--v=5', '--csi-address=$(ADDRESS)', '--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)'],
            env: env([
              ['ADDRESS', '/csi/csi.sock'],
              ['DRIVER_REG_SOCK_PATH', '/var/lib/kubelet/plugins/csi.tigera.io/csi.sock'],
              ['KUBE_NODE_NAME', { field: 'spec.nodeName' }],
            ]),
            securityContext: { privileged: true },
          }),
        ],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        serviceAccount: 'csi-node-driver',
        serviceAccountName: 'csi-node-driver',
        tolerations: CRITICAL_TOLERATIONS,
      },
    },
    {
      kind: 'Deployment',
      namespace: 'calico-system',
      name: 'calico-typha',
      selector: { 'k8s-app': 'calico-typha' },
      objectLabels: { 'app.kubernetes.io/name': 'calico-typha', 'k8s-app': 'calico-typha' },
      ownerReferences: installationOwner,
      replicas: calico.typhaReplicas,
      hostNetwork: true,
      templateAnnotations: hashes('system', 'tigera-ca-private', 'typha-certs'),
      strategy: { rollingUpdate: { maxSurge: '100%', maxUnavailable: 1 }, type: 'RollingUpdate' },
      collected: true,
      spec: {
        containers: [
          container('calico-typha', calicoImage(cluster, 'typha'), {
            env: env([
              ['TYPHA_LOGSEVERITYSCREEN', 'info'],
              ['TYPHA_LOGFILEPATH', 'none'],
              ['TYPHA_LOGSEVERITYSYS', 'none'],
              ['TYPHA_CONNECTIONREBALANCINGMODE', 'kubernetes'],
              ['TYPHA_DATASTORETYPE', 'kubernetes'],
              ['TYPHA_HEALTHENABLED', 'true'],
              ['TYPHA_HEALTHPORT', '9098'],
              ['TYPHA_K8SNAMESPACE', 'calico-system'],
              ['TYPHA_CAFILE', '/etc/pki/tls/certs/tigera-ca-bundle.crt'],
              ['TYPHA_SERVERCERTFILE', '/typha-certs/tls.crt'],
              ['TYPHA_SERVERKEYFILE', '/typha-certs/tls.key'],
              ['TYPHA_FIPSMODEENABLED', 'false'],
              ['TYPHA_SHUTDOWNTIMEOUTSECS', '300'],
              ['TYPHA_CLIENTCN', 'typha-client'],
            ]),
            envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
            livenessProbe: probe({ http: { host: 'localhost', path: '/liveness', port: 9098 } }, { timeout: 10 }),
            ports: [{ containerPort: 5473, hostPort: 5473, name: 'calico-typha', protocol: 'TCP' }],
            readinessProbe: probe({ http: { host: 'localhost', path: '/readiness', port: 9098 } }, { timeout: 10 }),
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, runAsGroup: 10001, runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          }),
        ],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        priorityClassName: 'system-cluster-critical',
        serviceAccount: 'calico-typha',
        serviceAccountName: 'calico-typha',
        terminationGracePeriodSeconds: 300,
        tolerations: CRITICAL_TOLERATIONS,
      },
    },
    {
      kind: 'Deployment',
      namespace: 'calico-system',
      name: 'calico-kube-controllers',
      selector: { 'k8s-app': 'calico-kube-controllers' },
      objectLabels: { 'app.kubernetes.io/name': 'calico-kube-controllers', 'k8s-app': 'calico-kube-controllers' },
      ownerReferences: installationOwner,
      replicas: 1,
      templateAnnotations: hashes('tigera-ca-private'),
      strategy: { type: 'Recreate' },
      collected: true,
      spec: {
        containers: [
          container('calico-kube-controllers', calicoImage(cluster, 'kube-controllers'), {
            env: env([
              ['KUBE_CONTROLLERS_CONFIG_NAME', 'default'],
              ['DATASTORE_TYPE', 'kubernetes'],
              ['ENABLED_CONTROLLERS', 'node,loadbalancer'],
              ['DISABLE_KUBE_CONTROLLERS_CONFIG_API', 'false'],
              ['CA_CRT_PATH', '/etc/pki/tls/certs/tigera-ca-bundle.crt'],
            ]),
            livenessProbe: probe({ exec: ['/usr/bin/check-status', '-l'] }, { initialDelay: 10, timeout: 10, failure: 6 }),
            readinessProbe: probe({ exec: ['/usr/bin/check-status', '-r'] }, { timeout: 10 }),
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, runAsGroup: 999, runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: 'RuntimeDefault' } },
          }),
        ],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        priorityClassName: 'system-cluster-critical',
        serviceAccount: 'calico-kube-controllers',
        serviceAccountName: 'calico-kube-controllers',
        tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' }, { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }],
      },
    },
  ];

  if (!cluster.enterprise) {
    // The API server moved into calico-system in 3.31. On EKS with Calico CNI it runs on the host
    // network: the EKS control plane cannot reach overlay pod addresses.
    const apiserverNamespace = minor >= '3.31' ? 'calico-system' : 'calico-apiserver';
    const simple = (name: string, component: 'apiserver' | 'goldmane' | 'whisker', replicas: number, hostNetwork: boolean, namespace = 'calico-system'): WorkloadDef => ({
      kind: 'Deployment',
      namespace,
      name,
      selector: { 'k8s-app': name },
      objectLabels: { 'app.kubernetes.io/name': name, 'k8s-app': name },
      ownerReferences: [{ ...installationOwner[0]!, kind: component === 'apiserver' ? 'APIServer' : component === 'goldmane' ? 'Goldmane' : 'Whisker', uid: uuidOf(cluster.seed(component, 'default')) }],
      replicas,
      hostNetwork,
      collected: COLLECTED_NAMESPACES.has(namespace),
      spec: {
        containers: [container(name === 'calico-apiserver' ? 'calico-apiserver' : name, calicoImage(cluster, component), {})],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        serviceAccount: name,
        serviceAccountName: name,
        tolerations: [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' }, { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }],
      },
    });
    defs.push(simple('calico-apiserver', 'apiserver', 2, calicoCni, apiserverNamespace));
    if (minor >= '3.30') defs.push(simple('goldmane', 'goldmane', 1, false), simple('whisker', 'whisker', 1, false));
  }
  return defs;
}

export function installationObject(cluster: Cluster): Json | null {
  const calico = cluster.calico;
  if (!calico || calico.install !== 'operator') return null;
  const calicoCni = calico.cni === 'Calico';
  const variant = calico.variant;
  const cni = calicoCni ? { ipam: { type: 'Calico' }, type: 'Calico' } : { ipam: { type: 'AmazonVPC' }, type: 'AmazonVPC' };
  const pools = calico.pools.map((p) => ({
    blockSize: p.blockSize,
    cidr: p.cidr,
    encapsulation: operatorEncapsulation(p),
    name: p.name,
    natOutgoing: p.natOutgoing ? 'Enabled' : 'Disabled',
    nodeSelector: p.nodeSelector ?? 'all()',
  }));
  const bgp = calico.bgp ? 'Enabled' : 'Disabled';
  const spec: Json = {
    calicoNetwork: calicoCni
      ? { bgp, ipPools: pools, linuxDataplane: 'Iptables', ...(calico.mtu ? { mtu: calico.mtu } : {}) }
      : { bgp: 'Disabled', linuxDataplane: 'Iptables' },
    cni,
    kubernetesProvider: 'EKS',
    ...(variant === 'TigeraSecureEnterprise' ? { variant } : {}),
  };
  // What the operator resolved from the spec and its defaults for EKS.
  const computed: Json = {
    calicoNetwork: calicoCni
      ? {
          bgp,
          hostPorts: 'Enabled',
          ipPools: pools.map((p) => ({ allowedUses: ['Workload', 'Tunnel'], assignmentMode: 'Automatic', disableBGPExport: false, ...p })),
          linuxDataplane: 'Iptables',
          linuxPolicySetupTimeoutSeconds: 0,
          multiInterfaceMode: 'None',
          ...(calico.mtu ? { mtu: calico.mtu } : {}),
          nodeAddressAutodetectionV4: { firstFound: true },
          windowsDataplane: 'Disabled',
        }
      : { bgp: 'Disabled', linuxDataplane: 'Iptables', linuxPolicySetupTimeoutSeconds: 0, windowsDataplane: 'Disabled' },
    cni,
    controlPlaneReplicas: 2,
    fipsMode: 'Disabled',
    flexVolumePath: 'None',
    kubeletVolumePluginPath: '/var/lib/kubelet',
    kubernetesProvider: 'EKS',
    logging: { cni: { logFileMaxAgeDays: 30, logFileMaxCount: 10, logFileMaxSize: '100Mi', logSeverity: 'Info' } },
    nodeUpdateStrategy: { rollingUpdate: { maxUnavailable: 1 }, type: 'RollingUpdate' },
    nonPrivileged: 'Disabled',
    variant,
  };
  const since = kubeTime(cluster.now - 9 * DAY - numberOf(cluster.seed('installation-ready'), DAY));
  return {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'Installation',
    metadata: cluster.meta('Installation', 'default', undefined, { finalizers: ['tigera.io/operator-cleanup'], generation: 3 }),
    spec,
    status: {
      calicoVersion: variant === 'TigeraSecureEnterprise' ? (calico.enterpriseVersion ?? calico.version) : calico.version,
      computed,
      conditions: [
        { lastTransitionTime: since, message: 'All Objects are available', observedGeneration: 3, reason: 'AllObjectsAvailable', status: 'True', type: 'Ready' },
        { lastTransitionTime: since, message: 'All Objects are available', observedGeneration: 3, reason: 'AllObjectsAvailable', status: 'False', type: 'Progressing' },
        { lastTransitionTime: since, message: 'All Objects are available', observedGeneration: 3, reason: 'AllObjectsAvailable', status: 'False', type: 'Degraded' },
      ],
      imageSet: '',
      mtu: calicoCni ? calico.mtu || autoDetectedMtu(calico) : 9001,
      variant,
    },
  };
}
