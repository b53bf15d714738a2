/**
 * A large cluster for the reachability benchmark, built straight as a snapshot document (lean: only
 * what the policy model reads): 5,000 nodes, 100,000 pods in 400 namespaces of 10 workloads each,
 * and 2,000 policies across 5 tiers — a security tier and a platform tier of global policies (both
 * ending in Pass), Kubernetes admin policies, the default tier (a global deny, four Kubernetes
 * NetworkPolicies per namespace and Calico NetworkPolicies across namespaces, by service account
 * and named port) and a baseline policy — with 20 threat-feed GlobalNetworkSets.
 */
type Json = Record<string, unknown>;

export const REACH_BENCH = { nodes: 5000, pods: 100_000, namespaces: 400, policies: 2000, tiers: 5 } as const;

const APPS = [
  { app: 'web', tier: 'frontend', port: ['http', 8080] },
  { app: 'api', tier: 'backend', port: ['http', 8080] },
  { app: 'worker', tier: 'backend', port: ['grpc', 9090] },
  { app: 'cache', tier: 'data', port: ['redis', 6379] },
  { app: 'db', tier: 'data', port: ['postgres', 5432] },
  { app: 'batch', tier: 'backend', port: ['metrics', 9100] },
  { app: 'auth', tier: 'backend', port: ['http', 8080] },
  { app: 'search', tier: 'backend', port: ['http', 9200] },
  { app: 'queue', tier: 'data', port: ['amqp', 5672] },
  { app: 'report', tier: 'frontend', port: ['http', 8080] },
] as const;

const ip = (n: number) => `10.${64 + Math.floor(n / 65536)}.${Math.floor(n / 256) % 256}.${n % 256}`;

export function reachBenchSnapshot(): Json {
  const namespaces: Json[] = [];
  const pods: Json[] = [];
  const nodes: Json[] = Array.from({ length: REACH_BENCH.nodes }, (_, i) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` } }));
  let podNumber = 0;
  const addPod = (namespace: string, name: string, labels: Record<string, string>, serviceAccountName: string, ports: Json[]) => {
    const n = podNumber++;
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${labels['app']}-5d78c9869d` }] },
      spec: { nodeName: `node-${n % REACH_BENCH.nodes}`, serviceAccountName, containers: [{ ports }] },
      status: { phase: 'Running', podIP: ip(n + 256), podIPs: [{ ip: ip(n + 256) }] },
    });
  };
  const system = ['kube-system', 'monitoring', 'ingress-nginx', 'calico-system'];
  for (const name of system) namespaces.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  for (let i = 0; i < 4; i++) addPod('kube-system', `coredns-${i}`, { 'k8s-app': 'kube-dns', app: 'coredns' }, 'coredns', [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }]);
  for (let i = 0; i < 96; i++) addPod('kube-system', `metrics-server-${i}`, { 'k8s-app': 'metrics-server', app: 'metrics-server' }, 'metrics-server', [{ name: 'https', containerPort: 10250, protocol: 'TCP' }]);
  for (let i = 0; i < 50; i++) addPod('monitoring', `prometheus-${i}`, { app: 'prometheus' }, 'prometheus', [{ name: 'web', containerPort: 9090, protocol: 'TCP' }]);
  for (let i = 0; i < 100; i++) addPod('ingress-nginx', `controller-${i}`, { app: 'ingress-nginx' }, 'ingress-nginx', [{ name: 'http', containerPort: 80, protocol: 'TCP' }]);
  const teams = REACH_BENCH.namespaces - 1;
  const perApp = Math.floor((REACH_BENCH.pods - podNumber) / (teams * APPS.length));
  for (let t = 0; t < teams; t++) {
    const namespace = `team-${String(t).padStart(3, '0')}`;
    namespaces.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'kubernetes.io/metadata.name': namespace, 'team-group': `g${t % 10}` } } });
    for (const { app, tier, port } of APPS) {
      for (let r = 0; r < perApp; r++) {
        addPod(namespace, `${app}-5d78c9869d-${r}`, { app, tier, version: r % 2 ? 'v1' : 'v2', 'pod-template-hash': '5d78c9869d' }, `${app}-sa`, [{ name: port[0], containerPort: port[1], protocol: 'TCP' }]);
      }
    }
  }
  while (podNumber < REACH_BENCH.pods) addPod('monitoring', `node-exporter-${podNumber}`, { app: 'node-exporter' }, 'default', []);

  const gnp = (name: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });
  const globals: Json[] = [];
  // Security tier (order 100, Pass): deny the metadata service, threat feeds and retired ranges; pass the rest.
  globals.push(gnp('security.deny-imds', { tier: 'security', order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }] }));
  globals.push(gnp('security.deny-threats', { tier: 'security', order: 2, selector: 'all()', types: ['Ingress', 'Egress'], ingress: [{ action: 'Deny', source: { selector: 'has(threatfeed)' } }], egress: [{ action: 'Deny', destination: { selector: 'has(threatfeed)' } }] }));
  for (let i = 0; i < 38; i++) {
    globals.push(gnp(`security.retired-range-${i}`, { tier: 'security', order: 10 + i, selector: i % 2 ? "tier == 'data'" : 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: [`198.18.${i}.0/24`] } }] }));
  }
  // Platform tier (order 200, Pass): DNS, the API server, monitoring, ingress, SaaS endpoints per team group.
  globals.push(gnp('platform.allow-dns', { tier: 'platform', order: 1, selector: 'all()', types: ['Egress'], egress: ['UDP', 'TCP'].map((protocol) => ({ action: 'Allow', protocol, destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } })) }));
  globals.push(gnp('platform.dns-ingress', { tier: 'platform', order: 2, selector: "k8s-app == 'kube-dns'", namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", types: ['Ingress'], ingress: ['UDP', 'TCP'].map((protocol) => ({ action: 'Allow', protocol, destination: { ports: [53] } })) }));
  globals.push(gnp('platform.allow-api-server', { tier: 'platform', order: 3, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { nets: ['10.0.15.250/32', '10.0.31.250/32'], ports: [443] } }] }));
  globals.push(gnp('platform.allow-scrape', { tier: 'platform', order: 4, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { namespaceSelector: "kubernetes.io/metadata.name == 'monitoring'" }, destination: { ports: ['metrics', 9100] } }] }));
  for (let i = 0; i < 56; i++) {
    globals.push(
      gnp(`platform.saas-${i}`, {
        tier: 'platform',
        order: 10 + i,
        namespaceSelector: `team-group == 'g${i % 10}'`,
        selector: `app == '${APPS[i % APPS.length]!.app}'`,
        types: ['Egress'],
        egress: [{ action: 'Allow', protocol: 'TCP', destination: { nets: [`203.0.113.${i}/32`], ports: [443] } }],
      }),
    );
  }
  // The default tier's global deny (after namespace policies).
  globals.push(
    gnp('global-deny-all', {
      order: 2000,
      selector: 'all()',
      namespaceSelector: "kubernetes.io/metadata.name not in {'kube-system', 'calico-system'}",
      types: ['Ingress', 'Egress'],
      ingress: [{ action: 'Allow', source: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'" } }],
    }),
  );
  const admin = Array.from({ length: 10 }, (_, i) => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: `admin-${i}` },
    spec: {
      priority: 10 + i,
      subject: { namespaces: { matchLabels: { 'team-group': `g${i}` } } },
      ingress: [{ name: 'isolate-groups', action: i % 3 ? 'Pass' : 'Deny', from: [{ namespaces: { matchLabels: { 'team-group': `g${(i + 5) % 10}` } } }] }],
      egress: [{ name: 'no-imds', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }],
    },
  }));
  const baseline = [
    {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: { subject: { namespaces: {} }, ingress: [{ name: 'deny-other-groups', action: 'Deny', from: [{ namespaces: { matchLabels: { 'team-group': 'g9' } } }] }] },
    },
  ];
  const knps: Json[] = [];
  const cnps: Json[] = [];
  const knp = (namespace: string, name: string, spec: Json) => knps.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
  for (let t = 0; t < teams; t++) {
    const namespace = `team-${String(t).padStart(3, '0')}`;
    knp(namespace, 'allow-same-namespace', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] });
    knp(namespace, 'allow-from-ingress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 'http' }] }] });
    knp(namespace, 'api-from-web', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }] });
    knp(namespace, 'db-egress', { podSelector: { matchLabels: { tier: 'backend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'postgres' }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: [{ port: 443 }] }] });
  }
  const calicoNamespaced = REACH_BENCH.policies - globals.length - admin.length - baseline.length - knps.length;
  for (let i = 0; i < calicoNamespaced; i++) {
    const t = i % teams;
    const namespace = `team-${String(t).padStart(3, '0')}`;
    const peer = `team-${String((t + 1) % teams).padStart(3, '0')}`;
    cnps.push({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: `partner-${i}`, namespace },
      spec: {
        tier: 'default',
        order: 500 + i,
        selector: `app == '${APPS[i % APPS.length]!.app}'`,
        types: ['Ingress'],
        ingress: [
          { action: 'Allow', protocol: 'TCP', source: { namespaceSelector: `kubernetes.io/metadata.name == '${peer}'`, serviceAccounts: { names: ['worker-sa', 'api-sa'] } }, destination: { ports: [APPS[i % APPS.length]!.port[0]] } },
          { action: 'Deny', source: { notNets: ['10.64.0.0/10'] } },
        ],
      },
    });
  }
  const threatSets = Array.from({ length: 20 }, (_, i) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: `threatfeed-${i}`, labels: { threatfeed: `feed-${i}` } }, spec: { nets: [`192.0.2.${i * 8}/29`] } }));
  const tier = (name: string, order: number, defaultAction: string) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: { order, defaultAction } });
  const dnsPods = pods.filter((p) => ((p['metadata'] as Json)['labels'] as Json)['k8s-app'] === 'kube-dns');
  return {
    schemaVersion: 1,
    collectedAt: '2026-11-23T02:00:00Z',
    collector: { name: 'calico-eks-auditor', version: '0.1.0' },
    target: { accountId: '111122223333', region: 'eu-west-2', clusterName: 'reach-bench' },
    aws: { cluster: null, nodegroups: [], addons: [], instances: [], securityGroups: [], subnets: [], routeTables: [], vpc: { VpcId: 'vpc-0123456789abcdef0', CidrBlock: '10.0.0.0/16' } },
    kubernetes: {
      serverVersion: { major: '1', minor: '33' },
      nodes,
      namespaces,
      pods,
      networkPolicies: knps,
      daemonSets: [],
      deployments: [],
      podDisruptionBudgets: [],
      configMaps: [],
      services: [],
      endpointSlices: [
        { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } }, endpoints: [{ addresses: ['10.0.15.250'] }, { addresses: ['10.0.31.250'] }], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'kube-dns-abcde', namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'kube-dns' } },
          endpoints: dnsPods.map((p) => ({ addresses: [(p['status'] as Json)['podIP']], targetRef: { kind: 'Pod', name: (p['metadata'] as Json)['name'], namespace: 'kube-system' } })),
          ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }],
        },
      ],
      adminNetworkPolicies: admin,
      baselineAdminNetworkPolicies: baseline,
    },
    calico: {
      apiGroup: 'projectcalico.org/v3',
      installation: null,
      clusterInformations: [],
      ippools: [{ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'pods' }, spec: { cidr: '10.64.0.0/10', vxlanMode: 'CrossSubnet', natOutgoing: true } }],
      ipamBlocks: [],
      bgpConfigurations: [],
      bgpPeers: [],
      felixConfigurations: [],
      kubeControllersConfigurations: [],
      tiers: [tier('security', 100, 'Pass'), tier('platform', 200, 'Pass'), tier('adminnetworkpolicy', 1000, 'Pass'), tier('default', 1_000_000, 'Deny'), tier('baselineadminnetworkpolicy', 10_000_000, 'Pass')],
      globalNetworkPolicies: globals,
      networkPolicies: cnps,
      globalNetworkSets: threatSets,
      networkSets: [],
      hostEndpoints: [],
      stagedGlobalNetworkPolicies: [],
      stagedNetworkPolicies: [],
      stagedKubernetesNetworkPolicies: [],
    },
    errors: [],
  };
}
