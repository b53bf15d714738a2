/**
 * Property: any schema-valid snapshot, however odd (missing specs, wrong types inside Calico
 * objects, empty lists, nulls), yields exactly one status per rule and never throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assess, runRule } from '../src/assess/assess.js';
import { deriveFacts } from '../src/assess/facts.js';
import { normalize } from '../src/assess/normalize/index.js';
import { defineRule, STATUSES } from '../src/assess/rule.js';
import { RULES } from '../src/assess/rules/index.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { emptySnapshot } from './helpers/minimal-snapshot.js';

/** Values of any type, as a hand-edited or buggy object might carry. */
const oddValue = fc.oneof(
  fc.constantFrom('Always', 'CrossSubnet', 'Never', 'all()', 'has(x)', "a == 'b'", '((', '192.168.0.0/16', '10.0.0.0/8', '', 'Debug', 'true', '53', 'Enabled'),
  fc.string(),
  fc.integer({ min: -5, max: 70000 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.dictionary(fc.string(), fc.string())), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('selector', 'ports', 'nets', 'namespaceSelector', 'cidr', 'port', 'protocol'), fc.anything(), { maxKeys: 3 }),
);

/** Spec fields the normaliser reads, so odd values reach the code paths that matter. */
const SPEC_KEYS = [
  'cidr', 'blockSize', 'ipipMode', 'vxlanMode', 'natOutgoing', 'nat-outgoing', 'ipip', 'disabled', 'nodeSelector', 'allowedUses',
  'nodeToNodeMeshEnabled', 'asNumber', 'serviceClusterIPs', 'node', 'peerSelector', 'peerIP', 'order', 'tier', 'selector',
  'namespaceSelector', 'types', 'ingress', 'egress', 'bpfEnabled', 'wireguardEnabled', 'logSeverityScreen', 'awsSrcDstCheck',
  'vxlanMTU', 'prometheusMetricsEnabled', 'calicoVersion', 'variant', 'allocations', 'affinity', 'calicoNetwork', 'cni',
  'kubernetesProvider', 'replicas', 'template', 'providerID', 'podSelector', 'policyTypes', 'hostNetwork', 'nodeName',
];
const STATUS_KEYS = ['desiredNumberScheduled', 'numberReady', 'readyReplicas', 'addresses', 'conditions', 'computed', 'calicoVersion', 'phase'];

const kubeObject = fc.record(
  {
    apiVersion: fc.constantFrom('projectcalico.org/v3', 'crd.projectcalico.org/v1', 'v1', 'apps/v1'),
    kind: fc.constantFrom('IPPool', 'Node', 'DaemonSet', 'Deployment', 'GlobalNetworkPolicy', 'Tier'),
    metadata: fc.record(
      {
        name: fc.constantFrom('default', 'calico-node', 'calico-typha', 'default.x', 'knp.default.y', 'kube-system', 'n1'),
        namespace: fc.constantFrom('kube-system', 'calico-system', 'app'),
        labels: fc.dictionary(fc.constantFrom('a', 'route-reflector', 'eks.amazonaws.com/compute-type'), fc.string(), { maxKeys: 2 }),
        annotations: fc.dictionary(fc.constantFrom('projectcalico.org/IPv4Address', 'projectcalico.org/RouteReflectorClusterID'), fc.string(), { maxKeys: 2 }),
      },
      { requiredKeys: [] },
    ),
    spec: fc.oneof(fc.constant(undefined), oddValue, fc.dictionary(fc.constantFrom(...SPEC_KEYS), oddValue, { maxKeys: 6 })),
    status: fc.oneof(fc.constant(undefined), oddValue, fc.dictionary(fc.constantFrom(...STATUS_KEYS), oddValue, { maxKeys: 3 })),
    data: fc.dictionary(fc.constantFrom('calico_backend', 'veth_mtu', 'typha_service_name', 'cni_network_config'), fc.string(), { maxKeys: 3 }),
  },
  { requiredKeys: [] },
);

const maybeList = <T>(item: fc.Arbitrary<T>) => fc.oneof(fc.constant(null), fc.array(item, { maxLength: 4 }));

const instance = fc.record(
  {
    InstanceId: fc.constantFrom('i-0a1', 'i-0a2', 'i-0a3'),
    InstanceType: fc.constantFrom('m5.large', 't1.micro', 'x'),
    PrivateIpAddress: fc.constantFrom('10.0.0.5', '10.0.16.7', 'nonsense'),
    SubnetId: fc.constantFrom('subnet-1', 'subnet-2'),
    SourceDestCheck: fc.boolean(),
    SecurityGroups: fc.array(fc.record({ GroupId: fc.constantFrom('sg-1', 'sg-2') }), { maxLength: 2 }),
  },
  { requiredKeys: ['InstanceId'] },
);

const securityGroup = fc.record({
  GroupId: fc.constantFrom('sg-1', 'sg-2'),
  IpPermissions: fc.array(
    fc.record(
      {
        IpProtocol: fc.constantFrom('-1', 'tcp', 'udp', '4', '50'),
        FromPort: fc.integer({ min: -1, max: 65535 }),
        ToPort: fc.integer({ min: -1, max: 65535 }),
        IpRanges: fc.array(fc.record({ CidrIp: fc.constantFrom('0.0.0.0/0', '10.0.0.0/16', 'bad') }), { maxLength: 2 }),
        UserIdGroupPairs: fc.array(fc.record({ GroupId: fc.constantFrom('sg-1', 'sg-2') }), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
});

const CALICO_LISTS = [
  'clusterInformations', 'ippools', 'ipamBlocks', 'bgpConfigurations', 'bgpPeers', 'felixConfigurations',
  'kubeControllersConfigurations', 'tiers', 'globalNetworkPolicies', 'networkPolicies', 'globalNetworkSets', 'networkSets', 'hostEndpoints',
] as const;
const KUBE_LISTS = ['nodes', 'namespaces', 'pods', 'networkPolicies', 'daemonSets', 'deployments', 'podDisruptionBudgets', 'configMaps'] as const;

const oddSnapshot = fc
  .record({
    apiGroup: fc.constantFrom(null, 'projectcalico.org/v3', 'crd.projectcalico.org/v1'),
    installation: fc.oneof(fc.constant(null), kubeObject),
    calico: fc.tuple(...CALICO_LISTS.map(() => maybeList(kubeObject))),
    kube: fc.tuple(...KUBE_LISTS.map(() => maybeList(kubeObject))),
    instances: maybeList(instance),
    securityGroups: maybeList(securityGroup),
    vpc: fc.oneof(fc.constant(null), fc.record({ VpcId: fc.constant('vpc-1'), CidrBlock: fc.constantFrom('10.0.0.0/16', '192.168.0.0/16') })),
    nodegroups: maybeList(fc.record({ nodegroupName: fc.string(), scalingConfig: fc.record({ maxSize: fc.integer({ min: 0, max: 500 }) }) })),
  })
  .map((parts) => {
    const snapshot = emptySnapshot({ clusterName: 'odd' });
    snapshot.calico.apiGroup = parts.apiGroup;
    snapshot.calico.installation = parts.installation;
    CALICO_LISTS.forEach((name, i) => (snapshot.calico[name] = parts.calico[i]));
    KUBE_LISTS.forEach((name, i) => (snapshot.kubernetes[name] = parts.kube[i]));
    snapshot.aws.instances = parts.instances;
    snapshot.aws.securityGroups = parts.securityGroups;
    snapshot.aws.vpc = parts.vpc;
    snapshot.aws.nodegroups = parts.nodegroups;
    return snapshot;
  });

describe('assessment of odd snapshots', () => {
  it('gives exactly one status per rule and never throws', () => {
    fc.assert(
      fc.property(oddSnapshot, (document) => {
        const assessment = assess(validateSnapshot(document, 'generated'));
        expect(assessment.checks.map((c) => c.id)).toEqual(RULES.map((r) => r.id));
        for (const check of assessment.checks) {
          expect(STATUSES).toContain(check.status);
          // A rule error is never hidden as a pass.
          if (check.evidence.some((e) => e.object === 'rule error')) expect(check.status).toBe('unknown');
        }
        const { value, coverage } = assessment.score;
        if (value !== null) expect(value).toBeGreaterThanOrEqual(0);
        if (value !== null) expect(value).toBeLessThanOrEqual(100);
        if (coverage !== null) expect(coverage).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('reports no rule error on odd data (rules guard their inputs rather than throw)', () => {
    fc.assert(
      fc.property(oddSnapshot, (document) => {
        const errors = assess(validateSnapshot(document, 'generated')).checks.filter((c) => c.evidence.some((e) => e.object === 'rule error'));
        expect(errors.map((c) => `${c.id}: ${c.evidence[0]?.note}`)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a rule that throws', () => {
  it('becomes unknown with the error as evidence, never a pass', () => {
    const model = normalize(validateSnapshot(emptySnapshot(), 'empty'));
    const broken = defineRule({
      id: 'TEST-01',
      title: 'throws',
      problem: 'threw',
      why: 'for the test',
      area: 'DS',
      severities: ['high'],
      seed: '-',
      appliesWhen: () => true,
      evaluate: () => {
        throw new TypeError('boom');
      },
    });
    const check = runRule(broken, model, deriveFacts(model));
    expect(check).toMatchObject({ id: 'TEST-01', status: 'unknown' });
    expect(check.evidence[0]).toMatchObject({ object: 'rule error', note: 'TypeError: boom' });
  });
});
