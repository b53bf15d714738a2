/**
 * CAL-BGP-01 — the node-to-node mesh is not used where the cluster can grow above 50 nodes.
 *
 * Seed 002 "Route Distribution": "For small clusters (under 50 nodes), this model is adequate …
 * when a cluster is running 50 to thousands of nodes, this peering relationship between every node
 * becomes a bottle neck"; "Global Route Reflection": "For clusters exceeding 50 nodes and potentially
 * growing far beyond that, this topology is recommended." Each mesh node holds N−1 BGP sessions.
 * "Can grow to" counts every source of nodes (managed and self-managed groups, Karpenter NodePools);
 * when one cannot be bounded, today's count is judged and the growth part stays unknown.
 */
import { calicoDefaults } from '../../../reference/index.js';
import { comment, note } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { meshCommand, ROUTE_REFLECTOR_LABEL, routeReflectorCommands, suggestReflectors } from './topology.js';
import { calicoRunsBgp, poolsCarryingTraffic } from '../applies.js';
import { canGrowAbove, growthEvidence, growthPhrase, growthUnknownReason } from '../growth.js';

const LIMIT = calicoDefaults.meshNodeLimit;

export default defineRule({
  id: 'CAL-BGP-01',
  title: 'Route reflectors, not the node-to-node mesh, where the cluster can grow above 50 nodes',
  problem: 'Node-to-node mesh where the cluster can grow above 50 nodes',
  why: 'a full mesh grows with the square of the nodes and loads every node',
  area: 'BGP',
  severities: ['high', 'medium'],
  severityNote: `high when more than ${LIMIT} nodes run the mesh now; medium when its node groups, Auto Scaling groups or Karpenter NodePools can grow it above ${LIMIT}`,
  seed: '002 "Route Distribution", "Global Route Reflection"',
  appliesWhen: calicoRunsBgp,
  evaluate({ model, facts, need }) {
    const meshEnabled = need(facts.bgp.meshEnabled, 'calico.bgpConfigurations');
    const configuration = model.bgpConfiguration!;
    if (!meshEnabled) {
      return {
        status: 'pass',
        summary: `The node-to-node mesh is off (BGPConfiguration ${configuration.ref.name}); nodes peer through ${
          facts.bgp.routeReflectors?.length ? `${facts.bgp.routeReflectors.length} route reflectors` : 'BGPPeers'
        } (coverage: CAL-BGP-02).`,
        evidence: [{ object: `BGPConfiguration ${configuration.ref.name}`, field: 'spec.nodeToNodeMeshEnabled', value: false }],
      };
    }
    const nodes = need(facts.topology.nodes, 'kubernetes.nodes');
    const nodesNow = nodes.length;
    const { growth } = facts;
    const grows = canGrowAbove(growth, LIMIT);
    const meshEvidence: Evidence = { object: `BGPConfiguration ${configuration.ref.name}`, field: 'spec.nodeToNodeMeshEnabled', value: true };
    if (nodesNow <= LIMIT && grows === false) {
      return {
        status: 'pass',
        summary: `The node-to-node mesh serves ${nodesNow} nodes and the cluster can grow to ${growth.maxNodes} (at most ${LIMIT}): the mesh is adequate.`,
        evidence: [meshEvidence, { object: 'cluster', field: 'maximum nodes', value: growth.maxNodes }, ...growthEvidence(model, growth)],
      };
    }
    if (nodesNow <= LIMIT && grows === null) {
      // Today's count is within the limit; how far the cluster can grow is not known, so this is no pass.
      return {
        status: 'unknown',
        summary: `The node-to-node mesh serves ${nodesNow} nodes today (within ${LIMIT}), but how far the cluster can grow is unknown: ${growthUnknownReason(model, growth)}.`,
        evidence: [meshEvidence, { object: 'cluster', field: 'nodes', value: nodesNow }, ...growthEvidence(model, growth)],
      };
    }
    const now = nodesNow > LIMIT;
    const evidence: Evidence[] = [meshEvidence, { object: 'cluster', field: 'nodes', value: nodesNow }, ...growthEvidence(model, growth)];
    const existing = facts.bgp.routeReflectors ?? [];
    const reflectors = suggestReflectors(nodes, existing);
    const unlabelled = existing.filter((name) => !Object.hasOwn(model.nodes?.find((n) => n.name === name)?.labels ?? {}, ROUTE_REFLECTOR_LABEL));
    const configurationExists = configuration.present;
    const routing = facts.pools ? poolsCarryingTraffic(facts.pools) : [];
    const allVxlan = routing.length > 0 && routing.every((p) => p.vxlanMode !== 'Never');
    const remediation = [
      ...(allVxlan ? [note('every pool is VXLAN, so pod routes do not need BGP: switching BGP off (CAL-RT-04) removes the mesh; otherwise:')] : []),
      reflectors.length
        ? comment`make route reflectors (better: dedicated, tainted nodes; one per subnet, at least two): ${reflectors.join(', ')}`
        : comment`peer every node with the existing route reflectors (${existing.join(', ')})`,
      ...routeReflectorCommands(reflectors, unlabelled),
      note('once `calicoctl node status` on a worker shows the reflectors Established, switch the mesh off:'),
      meshCommand(false, configurationExists),
    ];
    return {
      status: 'fail',
      severity: now ? 'high' : 'medium',
      summary: now
        ? `${nodesNow} nodes run the node-to-node BGP mesh (${nodesNow - 1} sessions each, above the ${LIMIT}-node limit of the reference architecture): use route reflectors.`
        : `The node-to-node BGP mesh serves ${nodesNow} nodes, but the cluster ${growthPhrase(growth)} (${listSome(growth.sources.filter((s) => s.limit !== null && s.limit > s.nodesNow).map((s) => `${s.kind} ${s.name} up to ${s.limit}`)) || growth.source}), above the ${LIMIT}-node limit of the reference architecture: plan route reflectors before it does.`,
      evidence,
      remediation,
    };
  },
});
