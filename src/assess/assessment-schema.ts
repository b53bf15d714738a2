/**
 * The assessment's contract (the JSON rendering): a zod schema kept equal to the `Assessment`
 * type by a compile-time check below, exported as the JSON Schema checked in beside it
 * (`npm run schema`). Objects are strict, so a fact added to the code but not here fails the
 * schema test rather than slipping out undocumented.
 */
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';
import { jsonSchemaDocument } from '../snapshot/json-schema.js';
import { SNAPSHOT_SOURCES, type SnapshotField } from '../snapshot/sources.js';
import { ASSESSMENT_SCHEMA_VERSION, type Assessment } from './assess.js';
import { CNI_MODE_LABELS, type CniMode } from './facts.js';
import { REPORT_SECTIONS, SEVERITIES, STATUSES } from './rule.js';
import { REACH_VALUES } from './reach/analysis.js';

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();
const str = z.string();
const int = z.number().int();
const count = z.number().int().min(0);
const ratio = z.number().min(0).max(1);
const snapshotField = z.enum(Object.keys(SNAPSHOT_SOURCES) as [SnapshotField, ...SnapshotField[]]);
const cniMode = z.enum(Object.keys(CNI_MODE_LABELS) as [CniMode, ...CniMode[]]);
const severity = z.enum(SEVERITIES);
const status = z.enum(STATUSES);

const objectRef = z.strictObject({ kind: str, name: str, namespace: str.optional() });
const reach = z.enum(REACH_VALUES);
const family = z.union([z.literal(4), z.literal(6)]);
const traffic = z.strictObject({ protocol: z.enum(['tcp', 'udp', '4']), port: int.optional(), family: family.optional(), label: str });

const reachability = z.strictObject({
  traffic,
  admitted: z.boolean(),
  pairsChecked: count,
  acrossSubnetsOnly: z.boolean(),
  blocked: z.array(
    z.strictObject({
      from: str,
      to: str,
      direction: str.optional().describe('Which way the refused traffic flows, when the exchange has sides (BGP clients and route reflectors).'),
      refusedBy: z.enum(['inbound', 'outbound', 'inbound and outbound']),
      certain: z.boolean(),
    }),
  ),
  blockedCount: count,
  certainlyBlockedCount: count,
  inboundBlockedCount: count,
  outboundBlockedCount: count,
  missingGroups: z.array(str),
  nodesWithoutGroups: z.array(str),
  nodesWithoutAddress: z.array(str),
  unresolvedRules: z.array(str),
  admittingRules: z.array(str),
});

const nodeFact = z.strictObject({
  name: str,
  instanceId: nullable(str),
  instanceName: nullable(str).describe('The EC2 Name tag.'),
  instanceType: nullable(str),
  availabilityZone: nullable(str),
  subnetId: nullable(str),
  subnetCidr: nullable(str),
  privateIp: nullable(str),
  ipv6Address: nullable(str).describe('The node’s IPv6 address (IPv6 and dual-stack clusters).'),
  calicoAddress: nullable(str).describe('projectcalico.org/IPv4Address: the node address Calico uses, with prefix length.'),
  srcDstCheck: nullable(z.boolean()),
  securityGroupIds: z.array(str),
  tunnelAddress: nullable(str),
  podBlocks: z.array(str),
  routeReflector: z.boolean(),
  ready: nullable(z.boolean()),
  nodegroup: nullable(str),
  os: nullable(str),
  group: nullable(str).describe('The source of nodes it belongs to: `managed node group/<name>`, `Karpenter NodePool/<name>`, …'),
});

const growthSource = z.strictObject({
  id: str,
  kind: z.enum(['managed node group', 'self-managed Auto Scaling group', 'Karpenter NodePool', 'EKS Auto Mode NodePool', 'no known group']),
  name: str,
  nodesNow: count,
  limit: nullable(count).describe('The most nodes it can hold; null when nothing bounds it.'),
  basis: str,
  labels: z.record(str, str),
});

const poolFact = z.strictObject({
  name: str,
  cidr: nullable(str),
  ipVersion: z.union([z.literal(4), z.literal(6)]),
  blockSize: int,
  ipipMode: str,
  vxlanMode: str,
  natOutgoing: z.boolean(),
  disabled: z.boolean(),
  nodeSelector: str,
  encapsulation: z.enum(['VXLAN', 'VXLANCrossSubnet', 'IPIP', 'IPIPCrossSubnet', 'None', 'IPIP+VXLAN']),
  routesWorkloads: z.boolean(),
  draining: nullable(z.boolean()).describe('Disabled, yet pods still hold its addresses: still routed with its encapsulation.'),
  carriesTraffic: nullable(z.boolean()),
  addresses: nullable(count),
  addressesPerBlock: nullable(count),
  blocks: nullable(count),
  blocksInUse: nullable(count),
  allocated: nullable(count),
  utilisation: nullable(z.number().min(0)),
  outsideVpc: nullable(z.boolean()),
  nodesSelected: nullable(count).describe('Nodes its nodeSelector selects now.'),
  nodesMax: nullable(count).describe('The most nodes it may have to serve as the cluster grows.'),
  vpcRoutesBack: nullable(z.boolean()).describe('Whether the VPC routes its addresses back to the nodes.'),
  vpcRouteNote: nullable(str),
  legacyFields: z.array(str),
});

const facts = z.strictObject({
  cluster: z.strictObject({
    name: str,
    accountId: str,
    region: str,
    collectedAt: str,
    kubernetesVersion: nullable(str),
    platformVersion: nullable(str),
    vpcId: nullable(str),
    vpcCidrs: nullable(z.array(str)),
    serviceCidr: nullable(str),
    ipFamily: nullable(z.enum(['ipv4', 'ipv6'])),
    dualStack: z.boolean(),
  }),
  calico: z.strictObject({
    presence: z.enum(['present', 'absent', 'unknown']),
    method: z.enum(['operator', 'manifest', 'unknown']),
    variant: z.enum(['Calico', 'Calico Enterprise']),
    version: nullable(str),
    versionSource: nullable(str),
    apiGroup: nullable(str).describe('The Calico API group the objects came from: projectcalico.org/v3 or crd.projectcalico.org/v1.'),
  }),
  cni: z.strictObject({
    mode: nullable(cniMode),
    label: str,
    plugin: nullable(z.enum(['Calico', 'AmazonVPC', 'other'])),
    source: nullable(str),
  }),
  calicoNetworking: nullable(z.boolean()),
  srcDstCheckMustBeOff: nullable(z.boolean()),
  topology: z.strictObject({
    nodes: nullable(z.array(nodeFact)),
    nodeCount: nullable(count),
    fargateNodeCount: count,
    windowsNodeCount: count,
    subnets: nullable(
      z.array(z.strictObject({ subnetId: str, cidr: nullable(str), availabilityZone: nullable(str), nodeCount: count })),
    ),
    availabilityZones: nullable(z.array(str)),
    multiSubnet: nullable(z.boolean()),
  }),
  growth: z.strictObject({
    nodesNow: nullable(count),
    maxNodes: nullable(count).describe('The most nodes the cluster can grow to; null when some capacity cannot be bounded or was not collected.'),
    atLeast: nullable(count).describe('What the bounded sources alone reach: a floor for maxNodes.'),
    source: str,
    sources: z.array(growthSource),
    unbounded: z.array(str),
    missing: z.array(snapshotField),
  }),
  pools: nullable(z.array(poolFact)),
  ipam: nullable(
    z
      .strictObject({
        pools: count,
        demand: nullable(
          z.strictObject({
            now: z.array(z.strictObject({ pools: z.array(str), nodes: count })),
            growth: z.array(z.strictObject({ source: str, extra: count, poolSets: z.array(z.array(str)) })),
            growthKnown: z.boolean(),
          }),
        ).describe('The nodes the pools serve, by the set of pools that select them, now and as each source of nodes grows.'),
        addresses: nullable(count),
        addressesPerBlock: nullable(count),
        blocks: nullable(count).describe('Each node claims at least one block: the most nodes the pools can serve.'),
        blocksInUse: nullable(count),
        allocated: nullable(count),
        utilisation: nullable(z.number().min(0)),
      })
      .describe('The pools that route pods (enabled, IPv4, for workloads) taken together.'),
  ),
  encapsulation: nullable(
    z.strictObject({ ipip: z.boolean(), vxlan: z.boolean(), unencapsulated: z.boolean(), crossSubnet: z.boolean(), vxlanIpv6: z.boolean() }),
  ),
  bgp: z.strictObject({
    enabled: nullable(z.boolean()),
    source: nullable(str),
    mode: nullable(z.enum(['mesh', 'route-reflectors', 'peers', 'no-peering', 'off'])),
    meshEnabled: nullable(z.boolean()),
    asNumber: nullable(int),
    peers: nullable(
      z.array(z.strictObject({ name: str, scope: str, peerIP: nullable(str), peerSelector: nullable(str), asNumber: nullable(int) })),
    ),
    routeReflectors: nullable(z.array(str)),
    serviceClusterIPs: z.array(str),
    serviceExternalIPs: z.array(str),
  }),
  typha: z.strictObject({
    configured: nullable(z.boolean()),
    deployed: nullable(z.boolean()),
    desired: nullable(count),
    ready: nullable(count),
    podDisruptionBudget: nullable(z.boolean()),
    nodes: nullable(z.array(str)),
  }),
  datastore: z.strictObject({ type: nullable(z.enum(['kubernetes', 'etcd'])), source: nullable(str) }),
  dataplane: z.strictObject({ mode: nullable(z.enum(['iptables', 'nftables', 'bpf'])), source: nullable(str) }),
  wireguard: z.strictObject({ enabled: nullable(z.boolean()), exceptNodes: z.array(str) }),
  mtu: z.strictObject({
    networkMtu: nullable(int),
    networkMtuReason: nullable(str),
    overhead: nullable(int),
    overheadReason: nullable(str),
    expected: nullable(int),
    configured: nullable(int),
    configuredSource: nullable(str),
  }),
  felix: z.strictObject({
    logSeverityScreen: nullable(str),
    prometheusMetricsEnabled: nullable(z.boolean()),
    flowLogs: nullable(z.boolean()),
    healthPort: nullable(int),
    vxlanVNI: nullable(int),
    awsSrcDstCheck: nullable(str),
    nodeOverrides: z.array(z.strictObject({ node: str, object: str, fields: z.array(str) })),
  }),
  policy: z.strictObject({
    tiers: nullable(z.array(z.strictObject({ ref: objectRef, name: str, order: nullable(z.number()), defaultAction: str }))),
    globalPolicies: nullable(count),
    namespacedCalicoPolicies: nullable(count),
    kubernetesPolicies: nullable(count),
    adminPolicies: nullable(count).describe('AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy objects Calico enforces.'),
    stagedPolicies: nullable(count).describe('Staged policies (not enforced).'),
    defaultDeny: nullable(str).describe('The policies that deny a namespace created tomorrow both ways.'),
    newNamespace: nullable(
      z.strictObject({ ingress: reach, ingressBy: nullable(str), egress: reach, egressBy: nullable(str), port: str }),
    ).describe('What a namespace created tomorrow with no policy of its own gets on a port no rule names, and which policy decides it.'),
    allowAll: z.array(str).describe('Global policies that allow all traffic for all endpoints.'),
    model: nullable(str),
    reach: nullable(
      z.strictObject({
        traffic: str,
        portRanges: count.describe('Port ranges the rules split TCP and UDP into; each is decided as a whole.'),
        groups: count.describe('Groups of pods policy cannot tell apart.'),
        pods: count,
        coreDns: str,
        apiServer: str,
        internet: str,
        namespaces: z.array(
          z.strictObject({
            name: str,
            code: str.describe('Its column in the Markdown matrix.'),
            system: z.boolean(),
            pods: count,
            groups: count,
            dns: nullable(reach).describe('Its pods to CoreDNS on UDP and TCP 53, both sides; null without CoreDNS pods.'),
            apiServer: reach,
            sameNamespace: reach,
            internet: reach,
            to: z.strictObject({ allowed: count, denied: count, partly: count, unknown: count }),
          }),
        ),
        matrix: z.array(z.array(reach)).describe('Row = from, column = to, in namespaces order, over every TCP and UDP port.'),
      }),
    ).describe('The namespace × namespace reachability matrix and key flows, from the policy model.'),
  }),
  components: nullable(
    z.array(
      z.strictObject({
        name: str,
        namespace: nullable(str),
        kind: str,
        desired: nullable(count),
        ready: nullable(count),
        healthy: nullable(z.boolean()),
      }),
    ),
  ),
  enterpriseComponents: nullable(z.array(z.strictObject({ component: str, namespace: str, pods: count }))).describe(
    'Calico Enterprise components found running, by their namespace; null when pods were not collected.',
  ),
  sgExceptions: nullable(
    z.array(
      z.strictObject({
        name: z.enum(['BGP', 'IPIP', 'VXLAN', 'Typha', 'WireGuard']),
        family,
        traffic,
        required: nullable(z.boolean()),
        scope: str,
        widenedBy: z.array(snapshotField),
        targets: nullable(z.array(str)),
        reachability: nullable(reachability),
      }),
    ),
  ),
  securityGroups: nullable(
    z.array(z.strictObject({ groupId: str, groupName: nullable(str), description: nullable(str), nodes: count, collected: z.boolean() })),
  ),
  routeTables: nullable(
    z.array(
      z.strictObject({
        routeTableId: str,
        main: z.boolean(),
        subnets: z.array(str),
        routes: count,
        podRoutes: count,
        podRouteSamples: z.array(z.strictObject({ destination: nullable(str), target: str })),
      }),
    ),
  ),
  workloads: nullable(
    z.strictObject({
      pods: count,
      hostNetworkPods: count,
      byNamespace: z.array(
        z.strictObject({ namespace: str, pods: count, system: z.boolean(), policies: nullable(count), selected: nullable(z.boolean()) }),
      ),
      byNode: z.array(z.strictObject({ node: str, pods: count })),
    }),
  ),
});

const evidence = z.strictObject({
  object: str,
  field: str.optional(),
  value: z.unknown().optional(),
  note: str.optional(),
  causes: z
    .array(z.strictObject({ source: str, code: str, message: str }))
    .optional()
    .describe('On unknown: the collection errors that hid this data (empty when it was simply not collected).'),
});
const section = z.enum(REPORT_SECTIONS);
const findingObject = z.strictObject({ kind: str, name: str, namespace: str.optional() });
const decision = z.strictObject({ reason: str, expires: nullable(str), owner: str.optional(), ticket: str.optional() });
const suppressionNote = z.strictObject({
  ruleId: str,
  clusters: z.array(str),
  match: str.optional(),
  reason: str,
  owner: str.optional(),
  ticket: str.optional(),
  expires: nullable(str),
  line: int.optional(),
});

const check = z.strictObject({
  id: str,
  title: str.describe('The condition the rule checks, shown for a pass.'),
  problem: str.describe('The problem the rule names when it fails: a failure is shown under this title, never under `title`.'),
  why: str.describe('What the failure costs, in a few words: the "why" of its step in the plan.'),
  area: str,
  severity: severity.describe('The severity it failed at; otherwise the rule’s highest.'),
  status,
  summary: str,
  evidence: z.array(evidence),
  remediation: nullable(str).describe('A pasteable fix, on fail only.'),
  verify: str.optional().describe('On fail: read-only commands that show the fix took.'),
  after: z.array(str).optional().describe('Rules whose fixes come first when they fail too: the order of the plan.'),
  deadline: z.boolean().optional().describe('Its failure has a date behind it (end of support): planned first.'),
  seed: str,
  alsoIn: z.array(section).optional().describe('Report sections that also list this verdict, besides its area’s.'),
  keyFact: z.strictObject({ section, label: str }).optional().describe('The summary is a key fact of this report section, under this label.'),
  objects: z
    .array(findingObject)
    .optional()
    .describe('On fail: the objects the failure is about, each a finding of its own; absent: the cluster as a whole.'),
  suppression: decision.optional().describe('A recorded decision to accept this finding: shown, not scored.'),
  suppressedObjects: z
    .array(z.strictObject({ object: findingObject, suppression: decision }))
    .optional()
    .describe('Objects of the failure that a suppression naming them accepts; the others still count.'),
});

const severityCounts = z.strictObject({ critical: count, high: count, medium: count, low: count, info: count });

export const assessmentSchema = z.strictObject({
  schemaVersion: z.literal(ASSESSMENT_SCHEMA_VERSION),
  target: z.strictObject({ accountId: str, region: str, clusterName: str }),
  collectedAt: str,
  auditor: nullable(z.strictObject({ name: str, version: str })).describe('The auditor that assessed the snapshot (its package name and version); null when its caller did not name it.'),
  catalogue: z.strictObject({ version: int.min(1), rules: count }).describe('The rule catalogue the checks come from: its version and how many rules it holds.'),
  collector: z.strictObject({ name: str, version: str }).describe('The tool that collected the snapshot: it may differ from the auditor.'),
  facts,
  checks: z.array(check),
  score: z.strictObject({
    value: nullable(z.number().int().min(0).max(100)),
    grade: nullable(z.enum(['A', 'B', 'C', 'D', 'F'])),
    coverage: nullable(ratio),
    counts: z.strictObject({ pass: count, fail: count, not_applicable: count, unknown: count }),
    failedBySeverity: severityCounts,
  }),
  errors: z.array(z.looseObject({ source: str, code: str, message: str })),
  suppressions: z
    .strictObject({
      applied: z.array(str),
      expired: z.array(z.strictObject({ ruleId: str, reason: str, expires: str, owner: str.optional() })),
      unused: z.array(suppressionNote).optional(),
    })
    .optional()
    .describe('Present when suppressions were given: which findings they covered, the expired ones whose finding is back, and those naming this cluster that matched nothing.'),
  history: z
    .strictObject({
      asOf: str,
      since: nullable(str),
      open: z.array(z.strictObject({ fingerprint: str, firstSeen: str, openedAt: str, openDays: count, reopened: count })),
      resolved: z.array(
        z.strictObject({ fingerprint: str, ruleId: str, title: str, severity, object: nullable(findingObject), firstSeen: str, resolvedAt: str }),
      ),
    })
    .optional()
    .describe('Present when a findings ledger is kept: when each open finding was first seen and how long it has been open; findings resolved in the last 30 days.'),
});

// The schema and the type must describe the same document: this fails to compile when they drift.
// Both sides are flattened first, as an intersection (`Pick<…> & {…}`) never equals its object form.
type Flat<T> = T extends (...args: never[]) => unknown ? T : T extends object ? { -readonly [K in keyof T]: Flat<T[K]> } : T;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
export type AssessmentSchemaMatchesType = Assert<Equal<Flat<z.output<typeof assessmentSchema>>, Flat<Assessment>>>;

export const ASSESSMENT_JSON_SCHEMA_PATH = new URL('./assessment.schema.json', import.meta.url);

export const assessmentJsonSchema = (): Record<string, unknown> =>
  jsonSchemaDocument(assessmentSchema, {
    name: 'assessment-v1',
    title: 'Calico EKS audit assessment, version 1',
    description:
      'The JSON rendering of one cluster’s audit: the facts derived from its snapshot, every rule’s status with evidence and remediation, and the score. The Markdown and HTML reports are views of this document. null means not collected or not determinable.',
  });

export const renderAssessmentJsonSchema = (): string => `${JSON.stringify(assessmentJsonSchema(), null, 2)}\n`;
