/**
 * `calico-audit what-if`: the cluster's snapshot with proposed policy applied (or deleted, or its
 * staged policies promoted), assessed again, and compared with the snapshot as it is: which flows
 * change, which rules change verdict, and the score before and after. Pure: documents in,
 * comparison out; reading the YAML is the CLI's business.
 */
import type { KubeObject, Snapshot } from '../snapshot/schema.js';
import { validateSnapshot } from '../snapshot/load.js';
import { assess, type Assessment } from './assess.js';
import type { Reach } from './reach/analysis.js';
import { normalizeCalicoPolicy } from './normalize/policy.js';
import { SNAPSHOT_SOURCES, type SnapshotField } from '../snapshot/sources.js';
import { record, text } from './normalize/read.js';

/** A proposal the audit cannot apply (exit 2, one line). */
export class WhatIfError extends Error {
  override readonly name = 'WhatIfError';
}

type Section = 'kubernetes' | 'calico';
interface Placement {
  section: Section;
  list: string;
  namespaced: boolean;
  /** What `--delete` calls it. */
  names: string[];
}

const CALICO_GROUPS = ['projectcalico.org/v3', 'crd.projectcalico.org/v1'];

/** Where each kind the audit models lives in a snapshot. */
function placementOf(apiVersion: string, kind: string): Placement | null {
  if (apiVersion === 'networking.k8s.io/v1' && kind === 'NetworkPolicy') return { section: 'kubernetes', list: 'networkPolicies', namespaced: true, names: ['networkpolicy', 'netpol', 'kubernetesnetworkpolicy'] };
  if (apiVersion.startsWith('policy.networking.k8s.io/')) {
    if (kind === 'AdminNetworkPolicy') return { section: 'kubernetes', list: 'adminNetworkPolicies', namespaced: false, names: ['adminnetworkpolicy', 'anp'] };
    if (kind === 'ClusterNetworkPolicy') return { section: 'kubernetes', list: 'adminNetworkPolicies', namespaced: false, names: ['clusternetworkpolicy', 'cnp'] };
    if (kind === 'BaselineAdminNetworkPolicy') return { section: 'kubernetes', list: 'baselineAdminNetworkPolicies', namespaced: false, names: ['baselineadminnetworkpolicy', 'banp'] };
    return null;
  }
  if (!CALICO_GROUPS.includes(apiVersion)) return null;
  const calico: Record<string, Placement> = {
    GlobalNetworkPolicy: { section: 'calico', list: 'globalNetworkPolicies', namespaced: false, names: ['globalnetworkpolicy', 'gnp'] },
    NetworkPolicy: { section: 'calico', list: 'networkPolicies', namespaced: true, names: ['networkpolicy', 'netpol', 'calico-networkpolicy'] },
    StagedGlobalNetworkPolicy: { section: 'calico', list: 'stagedGlobalNetworkPolicies', namespaced: false, names: ['stagedglobalnetworkpolicy'] },
    StagedNetworkPolicy: { section: 'calico', list: 'stagedNetworkPolicies', namespaced: true, names: ['stagednetworkpolicy'] },
    StagedKubernetesNetworkPolicy: { section: 'calico', list: 'stagedKubernetesNetworkPolicies', namespaced: true, names: ['stagedkubernetesnetworkpolicy'] },
    GlobalNetworkSet: { section: 'calico', list: 'globalNetworkSets', namespaced: false, names: ['globalnetworkset'] },
    NetworkSet: { section: 'calico', list: 'networkSets', namespaced: true, names: ['networkset'] },
    Tier: { section: 'calico', list: 'tiers', namespaced: false, names: ['tier'] },
  };
  return calico[kind] ?? null;
}

export const SUPPORTED_KINDS =
  'NetworkPolicy (networking.k8s.io/v1), GlobalNetworkPolicy, NetworkPolicy, Staged(Global|Kubernetes)NetworkPolicy, (Global)NetworkSet and Tier (projectcalico.org/v3 or crd.projectcalico.org/v1), AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy (policy.networking.k8s.io)';

/** The identity two objects share when one replaces the other: kind, namespace, tier and name as the model reads them. */
function identity(object: KubeObject, placement: Placement): string {
  const namespace = placement.namespaced ? (object.metadata?.namespace ?? 'default') : '';
  const calicoPolicy = ['globalNetworkPolicies', 'networkPolicies', 'stagedGlobalNetworkPolicies', 'stagedNetworkPolicies'].includes(placement.list);
  if (calicoPolicy && placement.section === 'calico') {
    const policy = normalizeCalicoPolicy(object, placement.list.includes('lobal') ? 'GlobalNetworkPolicy' : 'NetworkPolicy');
    return `${placement.list}|${namespace}|${policy.tier}|${policy.name}`;
  }
  if (placement.list === 'adminNetworkPolicies') return `${placement.list}|${object.kind}|${object.metadata?.name ?? ''}`;
  return `${placement.list}|${namespace}|${object.metadata?.name ?? ''}`;
}

export interface Proposal {
  /** Parsed documents (a `List` may hold several), with where they came from for messages. */
  documents: Array<{ object: unknown; where: string }>;
  /** `Kind/name` or `Kind/namespace/name`. */
  deletes: string[];
  /** Promote the cluster's staged policies. */
  staged: boolean;
}

type Mutable = Record<string, unknown> & { kubernetes: Record<string, unknown>; calico: Record<string, unknown>; errors: Array<Record<string, unknown>> };

function listOf(document: Mutable, placement: Placement, create: boolean): KubeObject[] | null {
  const section = document[placement.section];
  let list = section[placement.list] as KubeObject[] | null | undefined;
  if (list == null && create) {
    // Applying an object of an API the snapshot lacks installs it: the list starts empty.
    list = [];
    section[placement.list] = list;
    const source = SNAPSHOT_SOURCES[`${placement.section}.${placement.list}` as SnapshotField];
    document.errors = document.errors.filter((e) => e['source'] !== source);
  }
  return list ?? null;
}

function put(document: Mutable, object: KubeObject, placement: Placement): 'created' | 'replaced' {
  const list = listOf(document, placement, true)!;
  const key = identity(object, placement);
  const index = list.findIndex((o) => identity(o, placement) === key);
  if (index >= 0) {
    list[index] = object;
    return 'replaced';
  }
  list.push(object);
  return 'created';
}

const describe = (object: KubeObject): string => `${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name}`;

/** Every object of a parsed document: a `List`'s items, or the object itself. */
function objectsOf(value: unknown, where: string): Array<{ object: KubeObject; where: string }> {
  const object = record(value);
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw new WhatIfError(`${where}: not a Kubernetes object`);
  if (object['kind'] === 'List' || (typeof object['kind'] === 'string' && object['kind'].endsWith('List') && Array.isArray(object['items']))) {
    return (object['items'] as unknown[]).flatMap((item, i) => objectsOf(item, `${where}, item ${i + 1}`));
  }
  const apiVersion = text(object['apiVersion']);
  const kind = text(object['kind']);
  if (!apiVersion || !kind) throw new WhatIfError(`${where}: no apiVersion or kind`);
  if (!placementOf(apiVersion, kind)) throw new WhatIfError(`${where}: unknown kind ${kind} (${apiVersion}); what-if applies ${SUPPORTED_KINDS}`);
  if (!text(record(object['metadata'])['name'])) throw new WhatIfError(`${where}: ${kind} has no metadata.name`);
  return [{ object, where }];
}

/** The enforced object a staged one becomes (`stagedAction: Set`). */
function promoted(staged: KubeObject): KubeObject {
  const spec = { ...record(staged.spec) };
  delete spec['stagedAction'];
  if (staged.kind === 'StagedKubernetesNetworkPolicy') {
    return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: staged.metadata?.name, namespace: staged.metadata?.namespace ?? 'default' }, spec };
  }
  const kind = staged.kind === 'StagedGlobalNetworkPolicy' ? 'GlobalNetworkPolicy' : 'NetworkPolicy';
  const { name, namespace, labels } = staged.metadata ?? {};
  return { apiVersion: staged.apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) }, spec };
}

export interface Applied {
  snapshot: Snapshot;
  /** What was done, one line each: `created GlobalNetworkPolicy allow-dns`. */
  changes: string[];
}

const ALL_PLACEMENTS: Array<[string, string]> = [
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy'],
  ['policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy'],
  ['policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy'],
  ...['GlobalNetworkPolicy', 'NetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedKubernetesNetworkPolicy', 'GlobalNetworkSet', 'NetworkSet', 'Tier'].map(
    (kind): [string, string] => ['projectcalico.org/v3', kind],
  ),
];

/** Applies a proposal to a copy of the snapshot. */
export function applyProposal(snapshot: Snapshot, proposal: Proposal): Applied {
  const document = structuredClone(snapshot) as unknown as Mutable;
  const changes: string[] = [];
  if (proposal.staged) {
    const lists = ['stagedGlobalNetworkPolicies', 'stagedNetworkPolicies', 'stagedKubernetesNetworkPolicies'];
    if (lists.some((l) => document.calico[l] == null)) throw new WhatIfError('--staged: the snapshot holds no staged policies (they were not collected)');
    for (const list of lists) {
      for (const staged of document.calico[list] as KubeObject[]) {
        const enforced = promoted(staged);
        const placement = placementOf(enforced.apiVersion!, enforced.kind!)!;
        if (text(record(staged.spec)['stagedAction']) === 'Delete') {
          const target = listOf(document, placement, false) ?? [];
          const key = identity(enforced, placement);
          const index = target.findIndex((o) => identity(o, placement) === key);
          if (index >= 0) target.splice(index, 1);
          changes.push(`promoted ${describe(staged)}: ${index >= 0 ? 'deleted' : 'nothing to delete for'} ${describe(enforced)}`);
        } else {
          changes.push(`promoted ${describe(staged)}: ${put(document, enforced, placement)} ${describe(enforced)}`);
        }
      }
      document.calico[list] = [];
    }
  }
  for (const { object: value, where } of proposal.documents) {
    for (const { object } of objectsOf(value, where)) {
      const placement = placementOf(object.apiVersion!, object.kind!)!;
      if (placement.namespaced && !object.metadata?.namespace) object.metadata = { ...object.metadata, namespace: 'default' };
      changes.push(`${put(document, object, placement)} ${describe(object)}`);
    }
  }
  for (const spec of proposal.deletes) {
    const match = /^([A-Za-z-]+)\/(?:([a-z0-9][-a-z0-9]*)\/)?([^/]+)$/.exec(spec);
    if (!match) throw new WhatIfError(`--delete must be KIND/NAME or KIND/NAMESPACE/NAME (got ${JSON.stringify(spec)})`);
    const [, kindName, namespace, name] = match as unknown as [string, string, string | undefined, string];
    const placements = ALL_PLACEMENTS.map(([apiVersion, kind]) => ({ kind, placement: placementOf(apiVersion, kind)! })).filter(
      (p) => p.placement.names.includes(kindName.toLowerCase()) || p.kind.toLowerCase() === kindName.toLowerCase(),
    );
    if (!placements.length) throw new WhatIfError(`--delete ${spec}: unknown kind ${kindName}`);
    let removed = 0;
    for (const { placement } of placements) {
      const list = listOf(document, placement, false);
      if (!list) continue;
      for (let i = list.length - 1; i >= 0; i--) {
        const object = list[i]!;
        const names = [object.metadata?.name];
        if (placement.list === 'globalNetworkPolicies' || placement.list === 'networkPolicies') {
          names.push(normalizeCalicoPolicy(object, placement.list === 'globalNetworkPolicies' ? 'GlobalNetworkPolicy' : 'NetworkPolicy').name);
        }
        if (!names.includes(name)) continue;
        if (placement.namespaced && (object.metadata?.namespace ?? 'default') !== (namespace ?? 'default')) continue;
        if (placement.list === 'networkPolicies' && placement.section === 'calico' && object.metadata?.name?.startsWith('knp.default.')) continue;
        list.splice(i, 1);
        removed++;
        changes.push(`deleted ${describe(object)}`);
      }
    }
    if (!removed) throw new WhatIfError(`--delete ${spec}: the snapshot holds no such object`);
  }
  if (!changes.length) throw new WhatIfError('nothing to change: give --apply with at least one object, --delete or --staged');
  return { snapshot: validateSnapshot(document, 'the snapshot with the proposal applied'), changes };
}

export interface WhatIfReport {
  changes: string[];
  score: { before: { value: number | null; grade: string | null }; after: { value: number | null; grade: string | null } };
  checks: Array<{ id: string; title: string; before: string; after: string; summary: string }>;
  /** Namespace pairs whose verdict over every TCP and UDP port changes. */
  flows: Array<{ from: string; to: string; before: Reach; after: Reach }>;
  /** Key flows of a namespace that change. */
  keyFlows: Array<{ namespace: string; flow: string; before: Reach | null; after: Reach | null }>;
  /** A namespace created tomorrow: ingress and egress before and after. */
  newNamespace: { before: string; after: string } | null;
}

const statusOf = (check: Assessment['checks'][number]) => (check.status === 'fail' ? `fail (${check.severity})` : check.status);

/** What changes between the assessment as it is and with the proposal. */
export function compareAssessments(before: Assessment, after: Assessment, changes: string[]): WhatIfReport {
  const checks = after.checks.flatMap((a) => {
    const b = before.checks.find((c) => c.id === a.id);
    if (!b || statusOf(b) === statusOf(a)) return [];
    return [{ id: a.id, title: a.title, before: statusOf(b), after: statusOf(a), summary: a.summary }];
  });
  const flows: WhatIfReport['flows'] = [];
  const keyFlows: WhatIfReport['keyFlows'] = [];
  const rb = before.facts.policy.reach;
  const ra = after.facts.policy.reach;
  if (rb && ra) {
    const index = new Map(rb.namespaces.map((n, i) => [n.name, i]));
    for (const [i, from] of ra.namespaces.entries()) {
      const bi = index.get(from.name);
      for (const [j, to] of ra.namespaces.entries()) {
        const bj = index.get(to.name);
        const was = bi !== undefined && bj !== undefined ? rb.matrix[bi]![bj]! : null;
        const now = ra.matrix[i]![j]!;
        if (was !== null && was !== now) flows.push({ from: from.name, to: to.name, before: was, after: now });
      }
      const old = bi !== undefined ? rb.namespaces[bi]! : null;
      for (const [key, label] of [['dns', 'DNS'], ['apiServer', 'API server'], ['internet', 'internet']] as const) {
        const was = old ? old[key] : null;
        if (old && was !== from[key]) keyFlows.push({ namespace: from.name, flow: label, before: was, after: from[key] });
      }
    }
  }
  const nn = (a: Assessment) => {
    const n = a.facts.policy.newNamespace;
    return n ? `ingress ${n.ingress}${n.ingressBy ? ` by ${n.ingressBy}` : ''}, egress ${n.egress}${n.egressBy ? ` by ${n.egressBy}` : ''}` : 'not determined';
  };
  return {
    changes,
    score: {
      before: { value: before.score.value, grade: before.score.grade },
      after: { value: after.score.value, grade: after.score.grade },
    },
    checks,
    flows,
    keyFlows,
    newNamespace: nn(before) === nn(after) ? null : { before: nn(before), after: nn(after) },
  };
}

/** Applies a proposal and compares the two assessments. */
export function whatIf(snapshot: Snapshot, proposal: Proposal): WhatIfReport {
  const applied = applyProposal(snapshot, proposal);
  return compareAssessments(assess(snapshot), assess(applied.snapshot), applied.changes);
}

const FLOW_LIMIT = 50;

/** The comparison as the CLI prints it. */
export function whatIfText(report: WhatIfReport): string {
  const score = (s: WhatIfReport['score']['before']) => (s.value === null ? 'n/a' : `${s.value} (${s.grade})`);
  const lines = ['What if:', ...report.changes.map((c) => `  ${c}`), '', `Score: ${score(report.score.before)} → ${score(report.score.after)}`];
  lines.push('', report.checks.length ? 'Rules that change verdict:' : 'No rule changes verdict.');
  for (const c of report.checks) lines.push(`  ${c.id} ${c.title}: ${c.before} → ${c.after}`, `    ${c.summary}`);
  if (report.newNamespace) lines.push('', 'A namespace created tomorrow:', `  before: ${report.newNamespace.before}`, `  after:  ${report.newNamespace.after}`);
  lines.push('', report.flows.length ? 'Flows that change (pods of one namespace to another, every TCP and UDP port):' : 'No flow between namespaces changes.');
  for (const f of report.flows.slice(0, FLOW_LIMIT)) lines.push(`  ${f.from} → ${f.to}: ${f.before} → ${f.after}`);
  if (report.flows.length > FLOW_LIMIT) lines.push(`  … and ${report.flows.length - FLOW_LIMIT} more`);
  if (report.keyFlows.length) {
    lines.push('', 'Key flows that change:');
    for (const f of report.keyFlows.slice(0, FLOW_LIMIT)) lines.push(`  ${f.namespace} ${f.flow}: ${f.before ?? 'n/a'} → ${f.after ?? 'n/a'}`);
  }
  return `${lines.join('\n')}\n`;
}
