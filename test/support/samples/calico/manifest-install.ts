/** Calico installed from the manifests (calico.yaml): its kube-system workloads and its `calico-config` ConfigMap. */
import type { Cluster } from '../cluster.js';
import { container, CRITICAL_TOLERATIONS, env, probe, type EnvSource, type WorkloadDef } from '../kubernetes/workload-spec.js';
import type { Json } from '../plan.js';
import { calicoImage, minorOf } from './images.js';

export function manifestWorkloads(cluster: Cluster): WorkloadDef[] {
  const calico = cluster.calico!;
  const pool = calico.pools[0];
  const cm = (key: string): EnvSource => ({ configMap: 'calico-config', key });
  const bird = calico.bgp;
  const typha = calico.typhaReplicas > 0;
  const hostPath = (name: string, path: string, type?: string) => ({ hostPath: { path, type: type ?? '' }, name });
  const nodeEnv: Array<[string, EnvSource]> = [
    ['DATASTORE_TYPE', 'kubernetes'],
    ...(typha ? [['FELIX_TYPHAK8SSERVICENAME', cm('typha_service_name')] as [string, EnvSource]] : []),
    ['WAIT_FOR_DATASTORE', 'true'],
    ['NODENAME', { field: 'spec.nodeName' }],
    ['CALICO_NETWORKING_BACKEND', cm('calico_backend')],
    ['CLUSTER_TYPE', 'k8s,bgp'],
    ['IP', 'autodetect'],
    ['CALICO_IPV4POOL_IPIP', pool?.ipipMode ?? 'Always'],
    ['CALICO_IPV4POOL_VXLAN', pool?.vxlanMode ?? 'Never'],
    ['CALICO_IPV6POOL_VXLAN', 'Never'],
    ['FELIX_IPINIPMTU', cm('veth_mtu')],
    ['FELIX_VXLANMTU', cm('veth_mtu')],
    ['FELIX_WIREGUARDMTU', cm('veth_mtu')],
    ...(pool ? [['CALICO_IPV4POOL_CIDR', pool.cidr] as [string, EnvSource]] : []),
    ['CALICO_DISABLE_FILE_LOGGING', 'true'],
    ['FELIX_DEFAULTENDPOINTTOHOSTACTION', 'ACCEPT'],
    ['FELIX_IPV6SUPPORT', 'false'],
    ['FELIX_HEALTHENABLED', 'true'],
    ...Object.entries(calico.calicoNodeEnv ?? {}),
  ];
  const bpfInit =
    minorOf(calico.version) >= '3.31'
      ? container('ebpf-bootstrap', calicoImage(cluster, 'node'), {
          command: ['calico-node', '-init', '-best-effort'],
          securityContext: { privileged: true },
          volumeMounts: [
            { mountPath: '/sys/fs', mountPropagation: 'Bidirectional', name: 'sys-fs' },
            { mountPath: '/var/run/calico', mountPropagation: 'Bidirectional', name: 'var-run-calico' },
            { mountPath: '/nodeproc', name: 'nodeproc', readOnly: true },
          ],
        })
      : container('mount-bpffs', calicoImage(cluster, 'node'), {
          command: ['calico-node', '-init', '-best-effort'],
          securityContext: { privileged: true },
          volumeMounts: [
            { mountPath: '/sys/fs', mountPropagation: 'Bidirectional', name: 'sys-fs' },
            { mountPath: '/var/run/calico', mountPropagation: 'Bidirectional', name: 'var-run-calico' },
            { mountPath: '/nodeproc', name: 'nodeproc', readOnly: true },
          ],
        });
  const defs: WorkloadDef[] = [
    {
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'calico-node',
      selector: { 'k8s-app': 'calico-node' },
      objectLabels: { 'k8s-app': 'calico-node' },
      hostNetwork: true,
      strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
      collected: true,
      spec: {
        containers: [
          container('calico-node', calicoImage(cluster, 'node'), {
            env: env(nodeEnv),
            envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
            lifecycle: { preStop: { exec: { command: ['/bin/calico-node', '-shutdown'] } } },
            livenessProbe: probe({ exec: ['/bin/calico-node', '-felix-live', ...(bird ? ['-bird-live'] : [])] }, { initialDelay: 10, timeout: 10, failure: 6 }),
            readinessProbe: probe({ exec: ['/bin/calico-node', '-felix-ready', ...(bird ? ['-bird-ready'] : [])] }, { timeout: 10 }),
            resources: { requests: { cpu: '250m' } },
            securityContext: { privileged: true },
            volumeMounts: [
              { mountPath: '/host/etc/cni/net.d', name: 'cni-net-dir' },
              { mountPath: '/lib/modules', name: 'lib-modules', readOnly: true },
              { mountPath: '/run/xtables.lock', name: 'xtables-lock' },
              { mountPath: '/var/run/calico', name: 'var-run-calico' },
              { mountPath: '/var/lib/calico', name: 'var-lib-calico' },
              { mountPath: '/var/run/nodeagent', name: 'policysync' },
              { mountPath: '/sys/fs/bpf', name: 'bpffs' },
              { mountPath: '/var/log/calico/cni', name: 'cni-log-dir', readOnly: true },
            ],
          }),
        ],
        initContainers: [
          container('upgrade-ipam', calicoImage(cluster, 'cni'), {
            command: ['/opt/cni/bin/calico-ipam', '-upgrade'],
            env: env([['KUBERNETES_NODE_NAME', { field: 'spec.nodeName' }], ['CALICO_NETWORKING_BACKEND', cm('calico_backend')]]),
            envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
            securityContext: { privileged: true },
            volumeMounts: [
              { mountPath: '/var/lib/cni/networks', name: 'host-local-net-dir' },
              { mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' },
            ],
          }),
          container('install-cni', calicoImage(cluster, 'cni'), {
            command: ['/opt/cni/bin/install'],
            env: env([
              ['CNI_CONF_NAME', '10-calico.conflist'],
              ['CNI_NETWORK_CONFIG', cm('cni_network_config')],
              ['KUBERNETES_NODE_NAME', { field: 'spec.nodeName' }],
              ['CNI_MTU', cm('veth_mtu')],
              ['SLEEP', 'false'],
            ]),
            envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
            securityContext: { privileged: true },
            volumeMounts: [
              { mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' },
              { mountPath: '/host/etc/cni/net.d', name: 'cni-net-dir' },
            ],
          }),
          bpfInit,
        ],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        priorityClassName: 'system-node-critical',
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        serviceAccount: 'calico-node',
        serviceAccountName: 'calico-node',
        terminationGracePeriodSeconds: 0,
        tolerations: [
          { effect: 'NoSchedule', operator: 'Exists' },
          { key: 'CriticalAddonsOnly', operator: 'Exists' },
          { effect: 'NoExecute', operator: 'Exists' },
        ],
        volumes: [
          hostPath('lib-modules', '/lib/modules'),
          hostPath('var-run-calico', '/var/run/calico', 'DirectoryOrCreate'),
          hostPath('var-lib-calico', '/var/lib/calico', 'DirectoryOrCreate'),
          hostPath('xtables-lock', '/run/xtables.lock', 'FileOrCreate'),
          hostPath('sys-fs', '/sys/fs/', 'DirectoryOrCreate'),
          hostPath('bpffs', '/sys/fs/bpf', 'Directory'),
          hostPath('nodeproc', '/proc'),
          hostPath('cni-bin-dir', '/opt/cni/bin', 'DirectoryOrCreate'),
          hostPath('cni-net-dir', '/etc/cni/net.d'),
          hostPath('cni-log-dir', '/var/log/calico/cni'),
          hostPath('host-local-net-dir', '/var/lib/cni/networks'),
          hostPath('policysync', '/var/run/nodeagent', 'DirectoryOrCreate'),
        ],
      },
    },
    {
      kind: 'Deployment',
      namespace: 'kube-system',
      name: 'calico-kube-controllers',
      selector: { 'k8s-app': 'calico-kube-controllers' },
      objectLabels: { 'k8s-app': 'calico-kube-controllers' },
      replicas: 1,
      strategy: { type: 'Recreate' },
      collected: true,
      spec: {
        containers: [
          container('calico-kube-controllers', calicoImage(cluster, 'kube-controllers'), {
            env: env([['ENABLED_CONTROLLERS', 'node,loadbalancer'], ['DATASTORE_TYPE', 'kubernetes']]),
            livenessProbe: probe({ exec: ['/usr/bin/check-status', '-l'] }, { initialDelay: 10, timeout: 10, failure: 6 }),
            readinessProbe: probe({ exec: ['/usr/bin/check-status', '-r'] }),
            securityContext: { runAsNonRoot: true },
          }),
        ],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        priorityClassName: 'system-cluster-critical',
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        serviceAccount: 'calico-kube-controllers',
        serviceAccountName: 'calico-kube-controllers',
        tolerations: [
          { key: 'CriticalAddonsOnly', operator: 'Exists' },
          { effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' },
          { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' },
        ],
      },
    },
  ];
  if (typha) {
    defs.push({
      kind: 'Deployment',
      namespace: 'kube-system',
      name: 'calico-typha',
      selector: { 'k8s-app': 'calico-typha' },
      objectLabels: { 'k8s-app': 'calico-typha' },
      replicas: calico.typhaReplicas,
      hostNetwork: true,
      templateAnnotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' },
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
              ['TYPHA_SHUTDOWNTIMEOUTSECS', '300'],
            ]),
            envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
            livenessProbe: probe({ http: { host: 'localhost', path: '/liveness', port: 9098 } }, { period: 30, initialDelay: 30, timeout: 10 }),
            ports: [{ containerPort: 5473, hostPort: 5473, name: 'calico-typha', protocol: 'TCP' }],
            readinessProbe: probe({ http: { host: 'localhost', path: '/readiness', port: 9098 } }, { timeout: 10 }),
            securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true },
          }),
        ],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        priorityClassName: 'system-cluster-critical',
        securityContext: { fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        serviceAccount: 'calico-node',
        serviceAccountName: 'calico-node',
        terminationGracePeriodSeconds: 300,
        tolerations: CRITICAL_TOLERATIONS,
      },
    });
  }
  return defs;
}

/** The manifests' `calico-config`, as `kubectl apply` left it (placeholders filled in on the node). */
export function calicoConfigMap(cluster: Cluster): Json {
  const calico = cluster.calico!;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: cluster.meta('ConfigMap', 'calico-config', 'kube-system'),
    data: {
      calico_backend: calico.bgp ? 'bird' : calico.cni === 'Calico' ? 'vxlan' : 'none',
      cni_network_config: [
        '{',
        '  "name": "k8s-pod-network",',
        '  "cniVersion": "1.0.0",',
        '  "plugins": [',
        '    {',
        '      "type": "calico",',
        '      "log_level": "info",',
        '      "log_file_path": "/var/log/calico/cni/cni.log",',
        '      "datastore_type": "kubernetes",',
        '      "nodename": "__KUBERNETES_NODE_NAME__",',
        '      "mtu": __CNI_MTU__,',
        '      "ipam": {',
        '          "type": "calico-ipam"',
        '      },',
        '      "policy": {',
        '          "type": "k8s"',
        '      },',
        '      "kubernetes": {',
        '          "kubeconfig": "__KUBECONFIG_FILEPATH__"',
        '      }',
        '    },',
        '    {',
        '      "type": "portmap",',
        '      "snat": true,',
        '      "capabilities": {"portMappings": true}',
        '    }',
        '  ]',
        '}',
      ].join('\n'),
      typha_service_name: calico.typhaReplicas > 0 ? 'calico-typha' : 'none',
      veth_mtu: String(calico.mtu),
    },
  };
}
