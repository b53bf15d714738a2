import type { AppPlan, CalicoPolicyPlan, ClusterPlan } from '../plan.js';
import { BASE_NODE_RULES, deploy, EU_WEST_2, felixSpec, pool, SAMPLE_ACCOUNT_ID, SAMPLE_REGION, SG_RULES } from './building-blocks.js';

/**
 * a. Seed 001's cluster: Calico Enterprise by the operator, VXLAN overlay with BGP off, Typha 2/2,
 * five tiers, two allow-all global policies, no WireGuard, public endpoint open to the world.
 */
export function enterpriseVxlanPlan(): ClusterPlan {
  const appNamespaces = ['argo', 'argocd', 'cert-manager', 'external-dns', 'monitoring'];
  const tigeraNamespaces = ['tigera-compliance', 'tigera-fluentd', 'tigera-intrusion-detection', 'tigera-policy-recommendation', 'tigera-prometheus', 'tigera-system'];
  const k8sApp = (namespace: string, name: string, replicas: number): AppPlan => deploy(namespace, name, replicas, { 'k8s-app': name });
  return {
    name: 'enterprise-vxlan',
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    vpcCidr: '10.1.0.0/16',
    subnets: [
      { ...EU_WEST_2.a, cidr: '10.1.4.0/23' },
      { ...EU_WEST_2.b, cidr: '10.1.6.0/23' },
      { ...EU_WEST_2.c, cidr: '10.1.8.0/23' },
    ],
    s3GatewayEndpoint: true,
    nodegroups: [{ name: 'general', instanceType: 'm5.xlarge', minSize: 3, maxSize: 6, desiredSize: 4, subnets: [0, 1, 2] }],
    nodes: [
      { ip: '10.1.4.211', subnet: 0, nodegroup: 'general', sourceDestCheck: true },
      { ip: '10.1.6.167', subnet: 1, nodegroup: 'general', sourceDestCheck: true },
      { ip: '10.1.8.75', subnet: 2, nodegroup: 'general', sourceDestCheck: true },
      { ip: '10.1.8.85', subnet: 2, nodegroup: 'general', sourceDestCheck: true },
    ],
    // VXLAN Always encapsulates every packet, so the source/destination check can stay on.
    nodeSecurityGroupRules: [...BASE_NODE_RULES, SG_RULES.vxlan, SG_RULES.typha],
    eks: {
      version: '1.32',
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      logTypes: ['api', 'audit'],
      kms: false,
      serviceCidr: '172.20.0.0/16',
      ageDays: 540,
    },
    calico: {
      version: 'v3.30.4',
      variant: 'TigeraSecureEnterprise',
      enterpriseVersion: 'v3.21.4',
      install: 'operator',
      cni: 'Calico',
      bgp: false,
      typhaReplicas: 2,
      mtu: 0,
      wireguard: false,
      pools: [pool('default-ipv4-ippool', '192.168.0.0/16', 'Never', 'Always')],
      bgpConfiguration: { asNumber: 64512, logSeverityScreen: 'Info', nodeToNodeMeshEnabled: false },
      bgpPeers: [],
      felix: felixSpec({
        bpfEnabled: false,
        flowLogsFileEnabled: true,
        flowLogsFlushInterval: '15s',
        healthPort: 9099,
        prometheusMetricsEnabled: true,
        vxlanVNI: 4096,
        wireguardEnabled: false,
      }),
      extraTiers: [
        { name: 'allow-tigera', order: 100, defaultAction: 'Pass' },
        { name: 'namespace-isolation', order: 10_000, defaultAction: 'Pass' },
      ],
      globalPolicies: [
        {
          name: 'default-allow-all-dns',
          spec: {
            order: 1,
            selector: 'all()',
            types: ['Egress'],
            egress: [
              { action: 'Allow', protocol: 'UDP', destination: { ports: [53] } },
              { action: 'Allow', protocol: 'TCP', destination: { ports: [53] } },
            ],
          },
        },
        {
          name: 'default-allow-all',
          spec: { order: 10_000, selector: 'all()', types: ['Ingress', 'Egress'], ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] },
        },
      ],
      networkPolicies: [
        // Namespace isolation: same-namespace and monitoring traffic passes on to the default tier.
        ...appNamespaces.map(
          (namespace): CalicoPolicyPlan => ({
            name: 'isolate-namespace',
            tier: 'namespace-isolation',
            namespace,
            spec: {
              order: 100,
              selector: 'all()',
              types: ['Ingress'],
              ingress: [
                { action: 'Pass', source: { namespaceSelector: `kubernetes.io/metadata.name == '${namespace}'` } },
                { action: 'Pass', source: { namespaceSelector: "kubernetes.io/metadata.name in {'monitoring', 'tigera-prometheus'}" } },
                { action: 'Deny' },
              ],
            },
          }),
        ),
        // Calico Enterprise's own policies: a default deny per Tigera namespace plus what each needs.
        ...['calico-system', ...tigeraNamespaces].map(
          (namespace): CalicoPolicyPlan => ({
            name: 'default-deny',
            tier: 'allow-tigera',
            namespace,
            spec: { order: 10_000, selector: 'all()', types: ['Ingress', 'Egress'] },
          }),
        ),
        {
          name: 'kube-controller-access',
          tier: 'allow-tigera',
          namespace: 'calico-system',
          spec: {
            order: 1,
            selector: "k8s-app == 'calico-kube-controllers'",
            types: ['Ingress', 'Egress'],
            ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [9094] }, source: { namespaceSelector: "projectcalico.org/name == 'tigera-prometheus'" } }],
            egress: [{ action: 'Allow', protocol: 'TCP', destination: { nets: ['172.20.0.1/32'], ports: [443] } }, { action: 'Pass' }],
          },
        },
        {
          name: 'calico-node-alertmanager',
          tier: 'allow-tigera',
          namespace: 'tigera-prometheus',
          spec: {
            order: 1,
            selector: "app == 'alertmanager' && alertmanager == 'calico-node-alertmanager'",
            types: ['Ingress', 'Egress'],
            ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [9093] } }],
            egress: [{ action: 'Pass' }],
          },
        },
        {
          name: 'compliance-access',
          tier: 'allow-tigera',
          namespace: 'tigera-compliance',
          spec: {
            order: 1,
            selector: "k8s-app in {'compliance-controller', 'compliance-snapshotter'}",
            types: ['Egress'],
            egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443, 6443] } }, { action: 'Pass' }],
          },
        },
        {
          name: 'intrusion-detection-access',
          tier: 'allow-tigera',
          namespace: 'tigera-intrusion-detection',
          spec: {
            order: 1,
            selector: "k8s-app == 'intrusion-detection-controller'",
            types: ['Egress'],
            egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443] } }, { action: 'Pass' }],
          },
        },
      ],
      globalNetworkSets: [
        {
          name: 'threatfeed.alienvault.ipthreatfeeds',
          labels: { 'tigera.io/threatfeed': 'alienvault.ipthreatfeeds' },
          nets: ['192.0.2.17/32', '198.51.100.0/26', '203.0.113.200/32'],
        },
      ],
      // A default deny being tried out before it is enforced.
      stagedPolicies: [
        {
          kind: 'StagedGlobalNetworkPolicy',
          name: 'default-deny',
          spec: {
            stagedAction: 'Set',
            order: 2000,
            selector: 'all()',
            namespaceSelector: "kubernetes.io/metadata.name not in {'kube-system', 'calico-system', 'tigera-operator'}",
            types: ['Ingress', 'Egress'],
            egress: [
              { action: 'Allow', protocol: 'UDP', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } },
              { action: 'Allow', protocol: 'TCP', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } },
            ],
          },
        },
      ],
      apiGroup: 'projectcalico.org/v3',
    },
    // The platform team keeps pods off the instance metadata service with an AdminNetworkPolicy.
    adminNetworkPolicies: {
      admin: [
        {
          name: 'deny-instance-metadata',
          spec: {
            priority: 5,
            subject: { namespaces: {} },
            egress: [{ name: 'deny-imds', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }],
          },
        },
      ],
      baseline: [],
    },
    namespaces: [...appNamespaces, ...tigeraNamespaces],
    apps: [
      deploy('argo', 'argo-server', 1),
      deploy('argo', 'workflow-controller', 1),
      deploy('argocd', 'argocd-server', 2),
      deploy('argocd', 'argocd-repo-server', 2),
      { kind: 'StatefulSet', namespace: 'argocd', name: 'argocd-application-controller', replicas: 1 },
      deploy('argocd', 'argocd-redis', 1),
      deploy('argocd', 'argocd-dex-server', 1),
      deploy('argocd', 'argocd-applicationset-controller', 1),
      deploy('argocd', 'argocd-notifications-controller', 1),
      deploy('cert-manager', 'cert-manager', 1),
      deploy('cert-manager', 'cert-manager-cainjector', 1),
      deploy('cert-manager', 'cert-manager-webhook', 1),
      deploy('external-dns', 'external-dns', 1),
      deploy('monitoring', 'kube-prometheus-stack-grafana', 1),
      deploy('monitoring', 'kube-prometheus-stack-kube-state-metrics', 1),
      deploy('monitoring', 'kube-prometheus-stack-operator', 1),
      { kind: 'StatefulSet', namespace: 'monitoring', name: 'prometheus-kube-prometheus-stack-prometheus', replicas: 1 },
      { kind: 'DaemonSet', namespace: 'monitoring', name: 'kube-prometheus-stack-prometheus-node-exporter', hostNetwork: true },
      { kind: 'Deployment', namespace: 'tigera-system', name: 'tigera-apiserver', replicas: 2, hostNetwork: true, labels: { 'k8s-app': 'tigera-apiserver' } },
      k8sApp('tigera-compliance', 'compliance-controller', 1),
      k8sApp('tigera-compliance', 'compliance-snapshotter', 1),
      k8sApp('tigera-intrusion-detection', 'intrusion-detection-controller', 1),
      k8sApp('tigera-policy-recommendation', 'tigera-policy-recommendation', 1),
      k8sApp('tigera-prometheus', 'calico-prometheus-operator', 1),
      { kind: 'StatefulSet', namespace: 'tigera-prometheus', name: 'prometheus-calico-node-prometheus', replicas: 1, labels: { app: 'prometheus', prometheus: 'calico-node-prometheus' } },
      { kind: 'StatefulSet', namespace: 'tigera-prometheus', name: 'alertmanager-calico-node-alertmanager', replicas: 1, labels: { app: 'alertmanager', alertmanager: 'calico-node-alertmanager' } },
      { kind: 'DaemonSet', namespace: 'tigera-fluentd', name: 'fluentd-node', labels: { 'k8s-app': 'fluentd-node' } },
    ],
    // Argo CD ships these with its install manifest.
    kubernetesNetworkPolicies: [
      {
        namespace: 'argocd',
        name: 'argocd-server-network-policy',
        spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-server' } }, policyTypes: ['Ingress'], ingress: [{}] },
      },
      {
        namespace: 'argocd',
        name: 'argocd-repo-server-network-policy',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-repo-server' } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: ['argocd-server', 'argocd-application-controller', 'argocd-notifications-controller', 'argocd-applicationset-controller'].map((app) => ({
                podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
              })),
              ports: [{ port: 8081, protocol: 'TCP' }],
            },
            { from: [{ namespaceSelector: {} }], ports: [{ port: 8084, protocol: 'TCP' }] },
          ],
        },
      },
      {
        namespace: 'argocd',
        name: 'argocd-redis-network-policy',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-redis' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            {
              from: ['argocd-server', 'argocd-repo-server', 'argocd-application-controller'].map((app) => ({
                podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
              })),
              ports: [{ port: 6379, protocol: 'TCP' }],
            },
          ],
        },
      },
      {
        namespace: 'argocd',
        name: 'argocd-application-controller-network-policy',
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'argocd-application-controller' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 8082, protocol: 'TCP' }] }],
        },
      },
    ],
  };
}
