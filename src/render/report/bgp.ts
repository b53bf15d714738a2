/** The per-cluster report's view, section 4. BGP. */
import { joinMarkdown, markdown, SafeMarkdown } from '../escape.js';
import { type Fact, keyFactValue, onOff, plural, type SectionChecks, verdictLine } from './format.js';
import type { Assessment } from '../../assess/assess.js';
import { bgpStatus } from './architecture.js';
export function bgpView(assessment: Assessment, checks: SectionChecks) {
  const { facts } = assessment;
  const { bgp } = facts;
  const keyFacts: Fact[] = [];
  if (bgp.source) keyFacts.push({ label: 'Configured by', value: markdown`${bgp.source}` });
  keyFacts.push({ label: 'AS number', value: bgp.asNumber !== null ? markdown`${bgp.asNumber}` : markdown`not collected (BGPConfiguration)` });
  keyFacts.push({ label: 'Node-to-node mesh', value: markdown`${onOff(bgp.meshEnabled, 'enabled', 'disabled', 'not collected')}${bgp.enabled === false ? ' (unused: BGP is off)' : ''}` });
  keyFacts.push({
    label: 'Peers',
    value: bgp.peers === null ? markdown`not collected` : bgp.peers.length ? markdown`${plural(bgp.peers.length, 'BGPPeer')} (below)` : markdown`none configured`,
  });
  const nodes = facts.topology.nodes ?? [];
  const reflectors = nodes.filter((n) => n.routeReflector);
  let reflectorsText: SafeMarkdown;
  if (bgp.routeReflectors === null) reflectorsText = markdown`not determined (nodes not collected)`;
  else if (!bgp.routeReflectors.length) reflectorsText = markdown`none${bgp.mode === 'mesh' ? ' (the node-to-node mesh is in use)' : bgp.mode === 'off' ? ' (BGP is off)' : ''}`;
  else {
    const bySubnet = new Map<string, string[]>();
    for (const n of reflectors) bySubnet.set(n.subnetId ?? 'subnet not collected', [...(bySubnet.get(n.subnetId ?? 'subnet not collected') ?? []), n.name]);
    reflectorsText = joinMarkdown(
      [...bySubnet].map(([subnet, names]) => markdown`${subnet}: ${joinMarkdown(names)}`),
      '; ',
    );
  }
  keyFacts.push({ label: 'Route reflectors', value: reflectorsText });
  const advertised = [...bgp.serviceClusterIPs, ...bgp.serviceExternalIPs];
  keyFacts.push({ label: 'Advertised service CIDRs', value: advertised.length ? joinMarkdown(advertised) : markdown`none` });
  const analysis = checks.keyFacts('bgp')[0];
  return {
    status: bgpStatus(bgp),
    keyFacts,
    peers: (bgp.peers ?? []).map((p) => ({
      name: p.name,
      scope: p.scope,
      peer: p.peerIP ?? (p.peerSelector ? `nodes matching ${p.peerSelector}` : 'n/a'),
      asNumber: p.asNumber ?? 'cluster AS',
    })),
    analysis: analysis && analysis.status !== 'unknown' ? keyFactValue(analysis) : null,
    verdicts: verdictLine('BGP rules', [...checks.alsoIn('bgp'), ...checks.inAreas('BGP')]),
  };
}
