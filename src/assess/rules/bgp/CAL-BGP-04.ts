/**
 * CAL-BGP-04 — route reflectors peer with each other.
 *
 * Seed 002 "Global Route Reflection": "These BGPPeers instruct the nodes to peer with the
 * reflectors and the reflectors to peer with each other", with the reflector-to-reflector BGPPeer
 * `nodeSelector: has(route-reflector)`, `peerSelector: has(route-reflector)`. Reflectors that do not
 * peer only know the routes of their own clients.
 */
import { defineRule, listSome } from '../../rule.js';
import { selects } from '../../selector.js';
import { bgpPeerings, labelReflectorCommands, peerAppliesTo, REFLECTOR_TO_REFLECTOR_MANIFEST, ROUTE_REFLECTOR_LABEL } from './topology.js';
import { podRoutesUseBgp } from '../applies.js';

export default defineRule({
  id: 'CAL-BGP-04',
  title: 'Route reflectors peer with each other',
  problem: 'Route reflectors do not peer with each other',
  why: 'route reflectors miss routes that only the other reflectors hold',
  area: 'BGP',
  severities: ['medium'],
  seed: '002 reflector-to-reflector BGPPeer ("Global Route Reflection")',
  appliesWhen(context) {
    const routed = podRoutesUseBgp(context);
    if (routed !== true) return routed;
    const reflectors = context.need(context.facts.bgp.routeReflectors, 'kubernetes.nodes');
    if (!reflectors.length) return 'No node is a route reflector (no projectcalico.org/RouteReflectorClusterID).';
    if (reflectors.length === 1) return `${reflectors[0]} is the only route reflector: it has no other to peer with (CAL-BGP-03 asks for two).`;
    return true;
  },
  evaluate({ model, facts, need }) {
    const reflectors = need(facts.bgp.routeReflectors, 'kubernetes.nodes');
    const meshEnabled = need(facts.bgp.meshEnabled, 'calico.bgpConfigurations');
    const configuration = model.bgpConfiguration!;
    if (meshEnabled) {
      return {
        status: 'pass',
        summary: `The node-to-node mesh is on, so the ${reflectors.length} route reflectors (${listSome(reflectors)}) peer with each other through it.`,
        evidence: [{ object: `BGPConfiguration ${configuration.ref.name}`, field: 'spec.nodeToNodeMeshEnabled', value: true }],
      };
    }
    const nodes = need(model.nodes, 'kubernetes.nodes').filter((n) => !n.fargate);
    const peers = need(model.bgpPeers, 'calico.bgpPeers');
    const { sessions } = bgpPeerings(peers, nodes);
    const unpeered: Array<[string, string]> = [];
    reflectors.forEach((a, i) => {
      for (const b of reflectors.slice(i + 1)) if (!sessions.get(a)?.has(b)) unpeered.push([a, b]);
    });
    const reflectorLabels = (name: string) => nodes.find((n) => n.name === name)?.labels ?? {};
    // The seed's reflector-to-reflector BGPPeer: applies to a reflector and selects another one.
    const reflectorNodes = nodes.filter((n) => reflectors.includes(n.name));
    const rrPeers = peers.filter(
      (p) =>
        p.peerSelector !== null &&
        reflectorNodes.some((from) => peerAppliesTo(p, from) && reflectorNodes.some((to) => to !== from && selects(p.peerSelector!, to.labels))),
    );
    if (!unpeered.length) {
      return {
        status: 'pass',
        summary: `The ${reflectors.length} route reflectors (${listSome(reflectors)}) all peer with each other${
          rrPeers.length ? ` (BGPPeer ${listSome(rrPeers.map((p) => p.name))})` : ''
        }.`,
        evidence: rrPeers.map((p) => ({ object: `BGPPeer ${p.name}`, field: 'spec.peerSelector', value: p.peerSelector, note: `nodeSelector ${p.nodeSelector ?? p.node ?? '(every node)'}` })),
      };
    }
    const unlabelled = reflectors.filter((r) => !Object.hasOwn(reflectorLabels(r), ROUTE_REFLECTOR_LABEL));
    return {
      status: 'fail',
      severity: 'medium',
      summary: `${unpeered.length} pair${unpeered.length > 1 ? 's' : ''} of route reflectors (${listSome(
        unpeered.map(([a, b]) => `${a}–${b}`),
      )}) have no BGP session with each other: each reflector knows only the routes of its own clients, so a node that reaches only one of them misses the others' routes.`,
      evidence: [
        { object: `BGPConfiguration ${configuration.ref.name}`, field: 'spec.nodeToNodeMeshEnabled', value: false },
        ...reflectors.map((r) => ({ object: `Node ${r}`, field: 'metadata.labels', value: reflectorLabels(r), note: 'route reflector' })),
        ...peers.map((p) => ({
          object: `BGPPeer ${p.name}`,
          field: 'spec.peerSelector',
          value: p.peerSelector,
          note: `applies to ${p.node ? `node ${p.node}` : p.nodeSelector ? `nodes matching ${p.nodeSelector}` : 'every node'}`,
        })),
      ],
      remediation: [...labelReflectorCommands(unlabelled), REFLECTOR_TO_REFLECTOR_MANIFEST],
    };
  },
});
