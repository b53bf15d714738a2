/**
 * The report's text architecture diagram, drawn with box characters like seed 001's:
 * cluster → VPC → one column per subnet (its AZ, id, CIDR, node count) → nodes → calico-node mode.
 * A subnet shows its first nodes and then how many it holds, and columns wrap, so a 120-node
 * cluster stays as readable as a 4-node one and no line is wider than 120 characters.
 */
import type { Facts, NodeFact } from '../assess/facts.js';

const MAX_WIDTH = 120;
const GAP = 2;
const MIN_INNER = 18;
const MAX_INNER = 30;
/** Nodes drawn per subnet when it holds more than `NODES_SHOWN + 1`. */
const NODES_SHOWN = 2;

const chars = (s: string): string[] => [...s];
const length = (s: string): number => chars(s).length;
const fit = (s: string, width: number): string => (length(s) > width ? `${chars(s).slice(0, width - 1).join('')}…` : s);
const padEnd = (s: string, width: number): string => s + ' '.repeat(Math.max(0, width - length(s)));
// Control characters would break the drawing (and a fence); box contents are one plain line each.
const clean = (s: string): string => s.replace(/[\p{Cc}\u2028\u2029]/gu, ' ');

/** A box of `inner` columns; `in`/`out` put ▼ on the top border / ┬ on the bottom border at the centre. */
function box(lines: string[], inner: number, options: { in?: boolean; out?: boolean; split?: number } = {}): string[] {
  const width = inner + 2;
  const mid = Math.floor(width / 2);
  const border = (left: string, fill: string, right: string, centre?: string) => {
    const row = [left, ...fill.repeat(width - 2), right];
    if (centre) row[mid] = centre;
    return row.join('');
  };
  const out = [border('┌', '─', '┐', options.in ? '▼' : undefined)];
  lines.forEach((line, i) => {
    if (options.split !== undefined && i === options.split) out.push(border('├', '─', '┤'));
    out.push(`│ ${padEnd(fit(clean(line), inner - 2), inner - 2)} │`);
  });
  out.push(border('└', '─', '┘', options.out ? '┬' : undefined));
  return out;
}

/** Places `block` (lines) so its centre column is at `centre`. */
const centred = (block: string[], centre: number): string[] => {
  const width = length(block[0] ?? '');
  const indent = ' '.repeat(Math.max(0, centre - Math.floor(width / 2)));
  return block.map((line) => `${indent}${line}`.trimEnd());
};

function calicoMode(facts: Facts): string {
  const encapsulation: Record<string, string> = {
    'calico-vxlan': 'VXLAN',
    'calico-vxlan-crosssubnet': 'VXLAN CrossSubnet',
    'calico-ipip': 'IPIP',
    'calico-ipip-crosssubnet': 'IPIP CrossSubnet',
    'calico-native': 'native',
    'calico-mixed': 'mixed pools',
    'calico-no-pools': 'no pool',
    'aws-vpc-cni-policy-only': 'policy only, VPC CNI',
    'other-cni-policy-only': 'policy only',
    'no-calico': 'absent',
  };
  const mode = facts.cni.mode ? encapsulation[facts.cni.mode]! : 'mode unknown';
  const bgp = facts.bgp.mode === 'mesh' ? ', BGP mesh' : facts.bgp.mode === 'route-reflectors' || facts.bgp.mode === 'peers' ? ', BGP' : '';
  return `${mode}${bgp}`;
}

interface Column {
  header: string[];
  nodes: NodeFact[];
  total: number;
}

function columns(facts: Facts): Column[] {
  const nodes = facts.topology.nodes ?? [];
  const plural = (n: number) => `${n.toLocaleString('en')} node${n === 1 ? '' : 's'}`;
  if (facts.topology.subnets) {
    return [...facts.topology.subnets]
      .sort((a, b) => (a.availabilityZone ?? '').localeCompare(b.availabilityZone ?? '') || a.subnetId.localeCompare(b.subnetId))
      .map((s) => ({
        header: [s.availabilityZone ?? 'zone unknown', s.subnetId, `${s.cidr ?? 'CIDR unknown'} · ${plural(s.nodeCount)}`],
        nodes: nodes.filter((n) => n.subnetId === s.subnetId),
        total: s.nodeCount,
      }));
  }
  const zones = [...new Set(nodes.map((n) => n.availabilityZone ?? 'zone unknown'))].sort();
  return zones.map((zone) => {
    const inZone = nodes.filter((n) => (n.availabilityZone ?? 'zone unknown') === zone);
    return { header: [zone, 'subnet not collected', plural(inZone.length)], nodes: inZone, total: inZone.length };
  });
}

/** Route reflectors first, then nodes that are not ready: what a reader should see when a subnet is cut short. */
const notable = (node: NodeFact): number => (node.routeReflector ? 0 : node.ready === false ? 1 : 2);

function column(col: Column, inner: number, mode: string): string[] {
  const lines = box(col.header, inner, { in: true, out: col.nodes.length > 0 });
  const nodes = [...col.nodes].sort((a, b) => notable(a) - notable(b));
  const shown = nodes.length > NODES_SHOWN + 1 ? nodes.slice(0, NODES_SHOWN) : nodes;
  shown.forEach((node, i) => {
    const name = node.name.split('.')[0] ?? node.name;
    const details = [node.instanceType, node.privateIp].filter(Boolean).join(' ');
    const status = [node.routeReflector ? 'route reflector' : '', node.ready === false ? 'NotReady' : ''].filter(Boolean).join(', ');
    const body = [name, details || 'instance unknown', ...(status ? [status] : []), 'calico-node', `(${mode})`];
    const last = i === shown.length - 1 && shown.length === nodes.length;
    lines.push(...box(body, inner, { in: true, out: !last, split: body.length - 2 }));
  });
  if (shown.length < nodes.length) lines.push(...box([`… ${col.total.toLocaleString('en')} nodes in all`], inner, { in: true }));
  return lines;
}

/** The diagram as plain text (the report puts it in a fenced block). */
export function architectureDiagram(facts: Facts): string {
  const cols = columns(facts);
  const mode = calicoMode(facts);
  const wanted = Math.max(
    MIN_INNER,
    ...cols.flatMap((c) => [...c.header, ...c.nodes.slice(0, NODES_SHOWN + 1).map((n) => n.name.split('.')[0] ?? '')].map((s) => length(s) + 2)),
    length(`(${mode})`) + 2,
  );
  const inner = Math.min(MAX_INNER, wanted);
  const colWidth = inner + 2;
  const perRow = Math.max(1, Math.min(cols.length, Math.floor((MAX_WIDTH + GAP) / (colWidth + GAP))));
  const rowWidth = perRow * colWidth + (perRow - 1) * GAP;
  const trunk = Math.floor(rowWidth / 2);

  const { cluster, calico } = facts;
  const clusterLines = [
    'EKS cluster',
    cluster.name,
    `${cluster.region} · Kubernetes ${cluster.kubernetesVersion ?? '?'}`,
    calico.presence === 'absent' ? 'Calico not found' : `${calico.variant} ${calico.version ?? '(version unknown)'}`,
  ];
  const vpcLines = ['AWS VPC', cluster.vpcId ?? 'VPC id not collected', cluster.vpcCidrs?.join(', ') ?? 'CIDR not collected'];
  const headInner = Math.min(MAX_WIDTH - 4, Math.max(...[...clusterLines, ...vpcLines].map((s) => length(s) + 2)));
  const out: string[] = [
    ...centred(box(clusterLines, headInner, { out: true }), trunk),
    ...centred(box(vpcLines, headInner, { in: true, out: cols.length > 0 }), trunk),
  ];
  if (!cols.length) {
    out.push(...centred(['│', ...box(['nodes not collected'], MIN_INNER)], trunk));
    return `${out.join('\n')}\n`;
  }

  for (let start = 0; start < cols.length; start += perRow) {
    const row = cols.slice(start, start + perRow);
    const centres = row.map((_, i) => i * (colWidth + GAP) + Math.floor(colWidth / 2));
    if (start > 0) out.push(' '.repeat(trunk) + '│');
    // The branch from the trunk to each column.
    const width = Math.max(trunk, centres.at(-1)!) + 1;
    const branch = Array.from({ length: width }, () => ' ');
    const first = Math.min(centres[0]!, trunk);
    const last = Math.max(centres.at(-1)!, trunk);
    for (let x = first; x <= last; x++) branch[x] = '─';
    for (const c of centres) branch[c] = c === first ? '┌' : c === last ? '┐' : '┬';
    if (row.length === 1 && centres[0] === trunk) branch[trunk] = '│';
    else if (centres.includes(trunk)) branch[trunk] = trunk === first ? '├' : trunk === last ? '┤' : '┼';
    else branch[trunk] = trunk === first ? '└' : trunk === last ? '┘' : '┴';
    out.push(' '.repeat(trunk) + '│', branch.join('').trimEnd());
    const blocks = row.map((c) => column(c, inner, mode));
    const height = Math.max(...blocks.map((b) => b.length));
    for (let y = 0; y < height; y++) {
      out.push(blocks.map((b) => padEnd(b[y] ?? '', colWidth)).join(' '.repeat(GAP)).trimEnd());
    }
  }
  return `${out.join('\n')}\n`;
}
