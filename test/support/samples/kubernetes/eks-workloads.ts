/** The kube-system workloads EKS and its add-ons run: kube-proxy, CoreDNS, the EBS CSI driver, Pod Identity, and the VPC CNI unless Calico replaced it. */
import type { Cluster } from '../cluster.js';
import { EKS_ECR } from '../reference-data.js';
import { container, env, probe, type WorkloadDef } from './workload-spec.js';

export function kubeSystemWorkloads(cluster: Cluster): WorkloadDef[] {
  const ecr = EKS_ECR(cluster.plan.region);
  const linuxOnly = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
              { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
              { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate', 'hybrid', 'auto'] },
            ],
          },
        ],
      },
    },
  };
  const defs: WorkloadDef[] = [
    {
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'kube-proxy',
      selector: { 'k8s-app': 'kube-proxy' },
      objectLabels: { 'eks.amazonaws.com/component': 'kube-proxy', 'k8s-app': 'kube-proxy' },
      hostNetwork: true,
      strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' }, type: 'RollingUpdate' },
      collected: true,
      spec: {
        affinity: linuxOnly,
        containers: [
          container('kube-proxy', `${ecr}/eks/kube-proxy:${cluster.release.kubeProxy.replace('-eksbuild', '-minimal-eksbuild')}`, {
            command: ['kube-proxy', '--v=2', '--config=/var/lib/kube-proxy-config/config', '--hostname-override=$(NODE_NAME)'],
            env: env([['NODE_NAME', { field: 'spec.nodeName' }]]),
            resources: { requests: { cpu: '100m' } },
            securityContext: { privileged: true },
          }),
        ],
        priorityClassName: 'system-node-critical',
        serviceAccount: 'kube-proxy',
        serviceAccountName: 'kube-proxy',
        tolerations: [{ operator: 'Exists' }],
      },
    },
    {
      kind: 'Deployment',
      namespace: 'kube-system',
      name: 'coredns',
      selector: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' },
      objectLabels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' },
      replicas: 2,
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 }, type: 'RollingUpdate' },
      collected: true,
      spec: {
        affinity: linuxOnly,
        containers: [
          container('coredns', `${ecr}/eks/coredns:${cluster.release.coredns}`, {
            args: ['-conf', '/etc/coredns/Corefile'],
            livenessProbe: probe({ http: { path: '/health', port: 8080 } }, { initialDelay: 60, timeout: 5, failure: 5 }),
            readinessProbe: probe({ http: { path: '/ready', port: 8181 } }),
            ports: [
              { containerPort: 53, name: 'dns', protocol: 'UDP' },
              { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
              { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
            ],
            resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
          }),
        ],
        priorityClassName: 'system-cluster-critical',
        serviceAccount: 'coredns',
        serviceAccountName: 'coredns',
        tolerations: [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }, { key: 'CriticalAddonsOnly', operator: 'Exists' }],
      },
    },
    {
      kind: 'Deployment',
      namespace: 'kube-system',
      name: 'ebs-csi-controller',
      selector: { app: 'ebs-csi-controller', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
      objectLabels: { 'app.kubernetes.io/component': 'csi-driver', 'app.kubernetes.io/managed-by': 'EKS', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
      replicas: 2,
      collected: true,
      spec: {
        containers: [
          container('ebs-plugin', `${ecr}/eks/aws-ebs-csi-driver:v1.51.1`, {
            args: ['controller', '--endpoint=$(CSI_ENDPOINT)', '--batching=true', '--logging-format=text', '--v=2'],
            env: env([['CSI_ENDPOINT', 'unix:///var/lib/csi/sockets/pluginproxy/csi.sock'], ['CSI_NODE_NAME', { field: 'spec.nodeName' }]]),
            livenessProbe: probe({ http: { path: '/healthz', port: 9808 } }, { initialDelay: 10, timeout: 3, failure: 5 }),
            readinessProbe: probe({ http: { path: '/healthz', port: 9808 } }, { initialDelay: 10, timeout: 3, failure: 5 }),
          }),
          container('csi-provisioner', `${ecr}/eks/csi-provisioner:v5.3.0-eks-1-34-5`, {
            args: ['--timeout=60s', '--csi-address=$(ADDRESS)', '--v=2', '--feature-gates=Topology=true', '--extra-create-metadata', '--leader-election=true'],
            env: env([['ADDRESS', '/var/lib/csi/sockets/pluginproxy/csi.sock']]),
          }),
        ],
        priorityClassName: 'system-cluster-critical',
        serviceAccount: 'ebs-csi-controller-sa',
        serviceAccountName: 'ebs-csi-controller-sa',
        tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { effect: 'NoExecute', operator: 'Exists', tolerationSeconds: 300 }],
      },
    },
    {
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'ebs-csi-node',
      selector: { app: 'ebs-csi-node', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
      objectLabels: { 'app.kubernetes.io/component': 'csi-driver', 'app.kubernetes.io/managed-by': 'EKS', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
      strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' }, type: 'RollingUpdate' },
      collected: true,
      spec: {
        affinity: linuxOnly,
        containers: [
          container('ebs-plugin', `${ecr}/eks/aws-ebs-csi-driver:v1.51.1`, {
            args: ['node', '--endpoint=$(CSI_ENDPOINT)', '--csi-mount-point-prefix=/var/lib/kubelet/plugins/kubernetes.io/csi/ebs.csi.aws.com/', '--logging-format=text', '--v=2'],
            env: env([['CSI_ENDPOINT', 'unix:/csi/csi.sock'], ['CSI_NODE_NAME', { field: 'spec.nodeName' }]]),
            livenessProbe: probe({ http: { path: '/healthz', port: 9808 } }, { initialDelay: 10, timeout: 3, failure: 5 }),
            securityContext: { privileged: true, readOnlyRootFilesystem: true },
          }),
          container('node-driver-registrar', `${ecr}/eks/csi-node-driver-registrar:v2.14.0-eks-1-34-5`, {
            args: ['--csi-address=$(ADDRESS)', '--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)', '--v=2'],
            env: env([
              ['ADDRESS', '/csi/csi.sock'],
              ['DRIVER_REG_SOCK_PATH', '/var/lib/kubelet/plugins/ebs.csi.aws.com/csi.sock'],
            ]),
          }),
        ],
        priorityClassName: 'system-node-critical',
        serviceAccount: 'ebs-csi-node-sa',
        serviceAccountName: 'ebs-csi-node-sa',
        tolerations: [{ operator: 'Exists' }],
      },
    },
    {
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'eks-pod-identity-agent',
      selector: { 'app.kubernetes.io/instance': 'eks-pod-identity-agent', 'app.kubernetes.io/name': 'eks-pod-identity-agent' },
      objectLabels: { 'app.kubernetes.io/instance': 'eks-pod-identity-agent', 'app.kubernetes.io/name': 'eks-pod-identity-agent', 'app.kubernetes.io/version': '0.1.29' },
      hostNetwork: true,
      strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' }, type: 'RollingUpdate' },
      collected: true,
      spec: {
        affinity: linuxOnly,
        containers: [
          container('eks-pod-identity-agent', `${ecr}/eks/eks-pod-identity-agent:0.1.29`, {
            args: ['--port', '80', '--cluster-name', cluster.plan.name, '--probe-port', '2703'],
            command: ['/go-runner', '/eks-pod-identity-agent', 'server'],
            livenessProbe: probe({ http: { host: 'localhost', path: '/healthz', port: 2703 } }, { initialDelay: 30, timeout: 10 }),
            readinessProbe: probe({ http: { host: 'localhost', path: '/readyz', port: 2703 } }, { initialDelay: 1, timeout: 10, failure: 30 }),
            securityContext: { capabilities: { add: ['CAP_NET_BIND_SERVICE'] } },
          }),
        ],
        priorityClassName: 'system-node-critical',
        tolerations: [{ operator: 'Exists' }],
      },
    },
  ];
  if (cluster.calico?.cni !== 'Calico') {
    // The VPC CNI is the pod network unless Calico replaced it.
    defs.push({
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'aws-node',
      selector: { 'k8s-app': 'aws-node' },
      objectLabels: { 'app.kubernetes.io/instance': 'aws-vpc-cni', 'app.kubernetes.io/name': 'aws-node', 'app.kubernetes.io/version': 'v1.20.4', 'k8s-app': 'aws-node' },
      hostNetwork: true,
      strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' }, type: 'RollingUpdate' },
      collected: true,
      spec: {
        affinity: linuxOnly,
        initContainers: [
          container('aws-vpc-cni-init', `${ecr}/amazon-k8s-cni-init:v1.20.4-eksbuild.2`, {
            env: env([['DISABLE_TCP_EARLY_DEMUX', 'false'], ['ENABLE_IPv6', 'false']]),
            securityContext: { privileged: true },
          }),
        ],
        containers: [
          container('aws-node', `${ecr}/amazon-k8s-cni:v1.20.4-eksbuild.2`, {
            env: env([
              ['ADDITIONAL_ENI_TAGS', '{}'],
              ['ANNOTATE_POD_IP', 'true'],
              ['AWS_VPC_CNI_NODE_PORT_SUPPORT', 'true'],
              ['AWS_VPC_ENI_MTU', '9001'],
              ['AWS_VPC_K8S_CNI_EXTERNALSNAT', 'false'],
              ['AWS_VPC_K8S_CNI_LOGLEVEL', 'DEBUG'],
              ['AWS_VPC_K8S_CNI_LOG_FILE', '/host/var/log/aws-routed-eni/ipamd.log'],
              ['AWS_VPC_K8S_CNI_RANDOMIZESNAT', 'prng'],
              ['AWS_VPC_K8S_CNI_VETHPREFIX', 'eni'],
              ['CLUSTER_NAME', cluster.plan.name],
              ['ENABLE_IPv4', 'true'],
              ['ENABLE_IPv6', 'false'],
              ['ENABLE_POD_ENI', 'false'],
              ['ENABLE_PREFIX_DELEGATION', 'false'],
              ['MY_NODE_NAME', { field: 'spec.nodeName' }],
              ['NETWORK_POLICY_ENFORCING_MODE', 'standard'],
              ['VPC_CNI_VERSION', 'v1.20.4'],
              ['WARM_ENI_TARGET', '1'],
              ['WARM_PREFIX_TARGET', '1'],
            ]),
            livenessProbe: probe({ exec: ['/app/grpc-health-probe', '-addr=:50051', '-connect-timeout=5s', '-rpc-timeout=5s'] }, { initialDelay: 60, timeout: 10 }),
            readinessProbe: probe({ exec: ['/app/grpc-health-probe', '-addr=:50051', '-connect-timeout=5s', '-rpc-timeout=5s'] }, { initialDelay: 1, timeout: 10 }),
            ports: [{ containerPort: 61678, hostPort: 61678, name: 'metrics', protocol: 'TCP' }],
            resources: { requests: { cpu: '25m' } },
            securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
          }),
          container('aws-eks-nodeagent', `${ecr}/amazon/aws-network-policy-agent:v1.2.7-eksbuild.1`, {
            args: ['--enable-ipv6=false', '--enable-network-policy=false', '--enable-cloudwatch-logs=false', '--enable-policy-event-logs=false', '--log-file=/var/log/aws-routed-eni/network-policy-agent.log', '--metrics-bind-addr=:8162', '--health-probe-bind-addr=:8163', '--conntrack-cache-cleanup-period=300'],
            env: env([['MY_NODE_NAME', { field: 'spec.nodeName' }]]),
            resources: { requests: { cpu: '25m' } },
            securityContext: { capabilities: { add: ['NET_ADMIN'] }, privileged: true },
          }),
        ],
        priorityClassName: 'system-node-critical',
        serviceAccount: 'aws-node',
        serviceAccountName: 'aws-node',
        terminationGracePeriodSeconds: 10,
        tolerations: [{ operator: 'Exists' }],
      },
    });
  }
  return defs;
}
