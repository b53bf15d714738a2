/**
 * `calico-audit reach`: one question about a cluster's policies — can these pods (or an address)
 * reach those pods (or an address) on this port? — answered from the reachability model with each
 * side's trace. Pure: takes the cluster model, returns the answer.
 */
import type { ClusterModel } from '../model.js';
import { matchSelector, parseSelectorTree, SelectorSyntaxError, NO, type SelectorNode } from '../selector.js';
import { parseRange } from './addresses.js';
import { reachAnalysis, reachOf, type FlowResult, type Reach, type ReachAnalysis } from './analysis.js';
import { probeEndpoint } from './checks.js';
import { stepLines } from './describe.js';
import type { Endpoint, WorkloadEndpoint } from './match.js';
import { AtomSet, describeAtom, type Protocol } from './ports.js';

/** A question the CLI could not make sense of (exit 2). */
export class ReachQueryError extends Error {
  override readonly name = 'ReachQueryError';
}

export interface PortQuery {
  protocol: Protocol;
  from: number;
  to: number;
}

/** `53/udp`, `443`, `8000-8100/tcp` (TCP unless named). */
export function parsePortQuery(text: string): PortQuery {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(text.trim());
  const from = match ? Number(match[1]) : NaN;
  const to = match?.[2] ? Number(match[2]) : from;
  if (!match || from < 1 || to > 65535 || from > to) throw new ReachQueryError(`--port must be PORT[/tcp|udp|sctp] or FROM-TO[/protocol], e.g. 53/udp (got ${JSON.stringify(text)})`);
  return { protocol: (match[3]?.toUpperCase() ?? 'TCP') as Protocol, from, to };
}

/** One end of the question: `NS`, `NS/SELECTOR`, or an address or CIDR. */
export type EndQuery = { kind: 'pods'; namespace: string; selector: string | null } | { kind: 'address'; text: string };

const ADDRESS = /^[0-9a-f:.]+(?:\/\d{1,3})?$/i;

/** `k=v,k2=v2` (as kubectl writes a selector) in Calico's syntax; a Calico selector is kept. */
function selectorText(text: string): string {
  if (/^[\w./-]+=[\w.-]*(,[\w./-]+=[\w.-]*)*$/.test(text)) {
    return text
      .split(',')
      .map((pair) => {
        const [key, value] = pair.split('=');
        return `${key} == '${value}'`;
      })
      .join(' && ');
  }
  return text;
}

export function parseEndQuery(text: string, option: string): EndQuery {
  const trimmed = text.trim();
  if (ADDRESS.test(trimmed) && (trimmed.includes('.') || trimmed.includes(':'))) {
    if (!parseRange(trimmed)) throw new ReachQueryError(`${option}: ${JSON.stringify(text)} is not an address or CIDR`);
    return { kind: 'address', text: trimmed };
  }
  const slash = trimmed.indexOf('/');
  const namespace = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const selector = slash < 0 ? null : trimmed.slice(slash + 1).trim() || null;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
    throw new ReachQueryError(`${option} must be NAMESPACE, NAMESPACE/SELECTOR or an address or CIDR (got ${JSON.stringify(text)})`);
  }
  if (selector) {
    try {
      parseSelectorTree(selectorText(selector));
    } catch (error) {
      if (error instanceof SelectorSyntaxError) throw new ReachQueryError(`${option}: ${error.message}`);
      throw error;
    }
  }
  return { kind: 'pods', namespace, selector: selector ? selectorText(selector) : null };
}

export interface ResolvedEnd {
  label: string;
  endpoints: Endpoint[];
  pods: number;
  /** Set when no running pod matched and a pod that would be created is judged instead. */
  hypothetical: string | null;
}

/** Labels a selector fixes (`a == 'x' && b == 'y'`), for a pod that does not exist yet; null when it is not so simple. */
function labelsFixedBy(node: SelectorNode): Record<string, string> | null {
  if (node.op === 'all') return {};
  if (node.op === 'eq') return { [node.key]: node.value };
  if (node.op === 'and') {
    const out: Record<string, string> = {};
    for (const term of node.terms) {
      const part = labelsFixedBy(term);
      if (!part) return null;
      Object.assign(out, part);
    }
    return out;
  }
  return null;
}

function resolveEnd(analysis: ReachAnalysis, query: EndQuery, option: string): ResolvedEnd {
  const cluster = analysis.cluster;
  if (query.kind === 'address') {
    const endpoint = cluster.address(query.text, query.text)!;
    return { label: query.text, endpoints: [endpoint], pods: 0, hypothetical: null };
  }
  const label = query.selector ? `${query.namespace} (${query.selector})` : query.namespace;
  const node = query.selector ? parseSelectorTree(query.selector) : null;
  const groups = cluster.byNamespace.get(query.namespace) ?? [];
  const chosen: WorkloadEndpoint[] = [];
  let pods = 0;
  for (const group of groups) {
    const members = cluster.members[group.key] ?? [];
    const matching = node ? members.filter((pod) => matchSelector(node, { ...pod.labels, ...group.labels, ...pod.labels }) !== NO) : members;
    if (matching.length) {
      chosen.push(group);
      pods += matching.length;
    }
  }
  if (chosen.length) return { label, endpoints: chosen, pods, hypothetical: null };
  // No running pod matches: judge the pod that would be created there, when the selector says what its labels are.
  const fixed = node ? labelsFixedBy(node) : {};
  if (!fixed) throw new ReachQueryError(`${option}: no pod on the pod network in namespace ${query.namespace} matches ${query.selector}`);
  const ns = cluster.namespaceLabels(query.namespace);
  const probe = probeEndpoint(cluster, query.namespace, fixed, ns.labels, ns.known);
  return {
    label,
    endpoints: [probe],
    pods: 0,
    hypothetical: `no pod on the pod network in ${query.namespace} matches: judged for a new pod there${Object.keys(fixed).length ? ` labelled ${Object.entries(fixed).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}`,
  };
}

export interface PairAnswer {
  from: string;
  to: string;
  reach: Reach;
  /** The ports per verdict, e.g. `allowed: TCP 53, UDP 53`. */
  ports: Array<{ reach: Exclude<Reach, 'partly'>; ranges: string[] }>;
  /** Traces: one per verdict the pair has (the first port of each). */
  traces: FlowResult[];
}

export interface ReachAnswer {
  from: ResolvedEnd;
  to: ResolvedEnd;
  traffic: string;
  reach: Reach;
  pairs: PairAnswer[];
  /** Pairs left out of `pairs` (each end is a group of pods policy cannot tell apart). */
  more: number;
}

const PAIR_LIMIT = 20;

/** The atoms with a verdict, adjacent ones of a protocol merged: `TCP 1-8442`, `TCP 8444-65535`. */
function mergedRanges(atoms: AtomSet, verdicts: readonly string[], wanted: string): string[] {
  const out: Array<{ protocol: Protocol; lo: number; hi: number }> = [];
  atoms.atoms.forEach((atom, i) => {
    if (verdicts[i] !== wanted) return;
    const last = out.at(-1);
    if (last && last.protocol === atom.protocol && last.hi + 1 === atom.lo) last.hi = atom.hi;
    else out.push({ protocol: atom.protocol, lo: atom.lo, hi: atom.hi });
  });
  return out.map(describeAtom);
}

/** Answers a reach question about a cluster; `null` when its policies were not all collected. */
export function answerReach(model: ClusterModel, query: { from: EndQuery; to: EndQuery; port: PortQuery | null }): ReachAnswer {
  const analysis = reachAnalysis(model);
  if (!analysis) throw new ReachQueryError(`the snapshot lacks policy lists (${model.policyGaps.join(', ')}): reachability cannot be judged`);
  if (query.from.kind === 'address' && query.to.kind === 'address') throw new ReachQueryError('--from and --to cannot both be addresses: policy applies to pods');
  const from = resolveEnd(analysis, query.from, '--from');
  const to = resolveEnd(analysis, query.to, '--to');
  let atoms = analysis.cluster.allPorts;
  if (query.port) {
    const { protocol, from: lo, to: hi } = query.port;
    const clipped = analysis.cluster.allPorts.atoms
      .filter((a) => a.protocol === protocol && a.hi >= lo && a.lo <= hi)
      .map((a) => ({ protocol: a.protocol, lo: Math.max(a.lo, lo), hi: Math.min(a.hi, hi) }));
    atoms = lo === hi ? analysis.port(protocol, lo) : (analysis.cluster.allPorts.view(clipped) ?? new AtomSet([{ protocol, lo, hi }]));
  }
  const traffic = query.port
    ? query.port.from === query.port.to
      ? `${query.port.protocol} ${query.port.from}`
      : `${query.port.protocol} ${query.port.from}-${query.port.to}`
    : 'every TCP and UDP port';
  let flags = 0;
  const pairs: PairAnswer[] = [];
  let count = 0;
  for (const source of from.endpoints) {
    for (const destination of to.endpoints) {
      if (source === destination && source.kind === 'address') continue;
      count++;
      const pairFlags = analysis.flowFlags(source, destination, atoms);
      flags |= pairFlags;
      if (pairs.length >= PAIR_LIMIT) continue;
      const verdicts = analysis.flowVerdicts(source, destination, atoms);
      const byVerdict = (['allowed', 'denied', 'unknown'] as const)
        .map((reach) => ({ reach, ranges: mergedRanges(atoms, verdicts, reach) }))
        .filter((p) => p.ranges.length);
      pairs.push({
        from: source.name,
        to: destination.name,
        reach: reachOf(pairFlags),
        ports: byVerdict,
        traces: byVerdict.map((p) => analysis.flowOn(source, destination, atoms, verdicts.indexOf(p.reach))),
      });
    }
  }
  return { from, to, traffic, reach: reachOf(flags), pairs, more: count - pairs.length };
}

/** The answer as the CLI prints it: the verdict, then each pair of groups with each side's steps. */
export function reachText(answer: ReachAnswer): string {
  const lines: string[] = [];
  const who = (end: ResolvedEnd) => (end.pods ? `${end.label}: ${end.pods} ${end.pods === 1 ? 'pod' : 'pods'} in ${end.endpoints.length} ${end.endpoints.length === 1 ? 'group' : 'groups'}` : end.label);
  lines.push(`${answer.from.label} → ${answer.to.label} on ${answer.traffic}: ${answer.reach}`);
  lines.push(`  from ${who(answer.from)}`, `  to ${who(answer.to)}`);
  for (const end of [answer.from, answer.to]) if (end.hypothetical) lines.push(`  (${end.hypothetical})`);
  for (const pair of answer.pairs) {
    lines.push('', `${pair.from} → ${pair.to}: ${pair.reach}`);
    if (pair.ports.length > 1 || answer.traffic === 'every TCP and UDP port') {
      for (const p of pair.ports) lines.push(`  ${p.reach} on ${p.ranges.slice(0, 12).join(', ')}${p.ranges.length > 12 ? ` and ${p.ranges.length - 12} more ranges` : ''}`);
    }
    for (const trace of pair.traces) {
      lines.push(`  ${trace.traffic}: ${trace.verdict}`);
      for (const side of [trace.egress, trace.ingress]) {
        if (!side) continue;
        lines.push(`    ${side.direction} of ${side.endpoint}: ${side.verdict}`);
        for (const step of stepLines(side.steps)) lines.push(`      ${step}`);
      }
      if (!trace.egress) lines.push(`    (the source is outside the pod network: only the destination's ingress applies)`);
      if (!trace.ingress) lines.push(`    (the destination is outside the pod network: only the source's egress applies)`);
    }
  }
  if (answer.more) lines.push('', `… and ${answer.more} more pairs of groups (narrow --from or --to with a selector to see them).`);
  return `${lines.join('\n')}\n`;
}
