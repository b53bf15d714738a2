/**
 * CAL-BGP-02 — with the mesh off and BGP on, BGP peers cover every node.
 *
 * Seed 002 "Global Route Reflection": "BGPPeer CRDs are added for peering configuration. These
 * BGPPeers instruct the nodes to peer with the reflectors and the reflectors to peer with each
 * other", and only then "the cluster has the node-to-node BGP mesh deactivated". A node that no
 * BGPPeer reaches learns no pod routes and announces none of its own: its pods are cut off.
 */
import { comment, note } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { bgpPeerings, meshCommand, ROUTE_REFLECTOR_LABEL, routeReflectorCommands } from './topology.js';
import { podRoutesUseBgp } from '../applies.js';

export default defineRule({
  id: 'CAL-BGP-02',
  title: 'BGP peers cover every node when the mesh is off',
  problem: 'BGP peers leave nodes without routes when the mesh is off',
  why: "nodes with no BGP peer learn no routes to other nodes' pods",
  area: 'BGP',
  severities: ['critical'],
  seed: '002 BGPPeer configuration ("Global Route Reflection")',
  appliesWhen(context) {
    const routed = podRoutesUseBgp(context);
    if (routed !== true) return routed;
    const meshEnabled = context.need(context.facts.bgp.meshEnabled, 'calico.bgpConfigurations');
    return meshEnabled ? 'The node-to-node mesh is on: every node peers with every other.' : true;
  },
  evaluate({ model, facts, need }) {
    const nodes = need(model.nodes, 'kubernetes.nodes').filter((n) => !n.fargate);
    const peers = need(model.bgpPeers, 'calico.bgpPeers');
    const configuration = model.bgpConfiguration!;
    const { sessions, external } = bgpPeerings(peers, nodes);
    const isolated = nodes.filter((n) => !sessions.get(n.name)?.size && !external.has(n.name));
    if (!isolated.length) {
      const viaRouters = nodes.filter((n) => external.has(n.name)).length;
      return {
        status: 'pass',
        summary: `With the node-to-node mesh off, ${peers.length === 1 ? `BGPPeer ${peers[0]!.name} gives` : `the ${peers.length} BGPPeers give`} all ${nodes.length} nodes a BGP session${
          viaRouters ? ` (${viaRouters} to routers outside the cluster)` : ''
        }.`,
        evidence: peers.map((p) => ({
          object: `BGPPeer ${p.name}`,
          field: 'scope',
          value: facts.bgp.peers?.find((f) => f.name === p.name)?.scope ?? null,
          note: p.peerSelector ? `peerSelector ${p.peerSelector}` : p.peerIP ? `peerIP ${p.peerIP}` : undefined,
        })),
      };
    }
    const evidence: Evidence[] = [
      { object: `BGPConfiguration ${configuration.ref.name}`, field: 'spec.nodeToNodeMeshEnabled', value: false },
      ...isolated.map((n) => ({
        object: `Node ${n.name}`,
        field: 'metadata.labels',
        value: n.labels,
        note: 'no BGPPeer applies to it with a reachable peer, and no peer selects it',
      })),
      ...(peers.length
        ? peers.map((p) => ({
            object: `BGPPeer ${p.name}`,
            field: p.node ? 'spec.node' : p.nodeSelector ? 'spec.nodeSelector' : 'spec (global peer)',
            value: p.node ?? p.nodeSelector ?? null,
            note: p.peerSelector ? `peerSelector ${p.peerSelector}` : p.peerIP ? `peerIP ${p.peerIP}` : 'no peerSelector or peerIP',
          }))
        : [{ object: 'BGPPeers', value: [], note: 'none defined' }]),
    ];

    const reflectors = facts.bgp.routeReflectors ?? [];
    const configurationExists = configuration.present;
    const remediation = reflectors.length
      ? [
          comment`peer every node with the route reflectors (${listSome(reflectors)}), as in the reference architecture:`,
          ...routeReflectorCommands(
            [],
            reflectors.filter((name) => !Object.hasOwn(nodes.find((n) => n.name === name)?.labels ?? {}, ROUTE_REFLECTOR_LABEL)),
          ),
        ]
      : [
          note('no node is a route reflector: restore the node-to-node mesh now'),
          meshCommand(true, configurationExists),
          note('(above 50 nodes, set up route reflectors instead and switch the mesh off again: see CAL-BGP-01)'),
        ];

    return {
      status: 'fail',
      severity: 'critical',
      summary: `The node-to-node mesh is off and ${isolated.length} of ${nodes.length} nodes (${listSome(
        isolated.map((n) => n.name),
      )}) have no BGP peer: they learn no routes to other nodes' pods and announce none for their own.`,
      evidence,
      remediation,
      objects: isolated.map((n) => ({ kind: 'Node', name: n.name })),
    };
  },
});
