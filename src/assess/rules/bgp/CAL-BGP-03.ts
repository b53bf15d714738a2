/**
 * CAL-BGP-03 — route reflectors are redundant: at least 2, and at least 1 in each subnet with nodes.
 *
 * Seed 002 "Global Route Reflection": "Clusters that run in this mode introduce a (highly-available)
 * centralized point of failure. For this reason, you should ensure that at least 2 route reflectors
 * are running per cluster. Furthermore, in multi-subnet environments, ensure that at least 1 route
 * reflector is running per subnet."
 */
import { comment, note } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { podRoutesUseBgp } from '../applies.js';
import { reflectorNodeCommands, suggestReflectors } from './topology.js';

const MINIMUM = 2;

export default defineRule({
  id: 'CAL-BGP-03',
  title: 'Route reflectors are redundant: at least 2, and 1 in each subnet with nodes',
  problem: 'Route reflectors are not redundant',
  why: 'losing one route reflector withdraws the routes it carried',
  area: 'BGP',
  severities: ['high'],
  seed: '002 "at least 2 route reflectors", "at least 1 route reflector is running per subnet"',
  appliesWhen(context) {
    const routed = podRoutesUseBgp(context);
    if (routed !== true) return routed;
    const reflectors = context.need(context.facts.bgp.routeReflectors, 'kubernetes.nodes');
    return reflectors.length ? true : 'No node is a route reflector (no projectcalico.org/RouteReflectorClusterID).';
  },
  evaluate({ model, facts, need }) {
    const nodes = need(facts.topology.nodes, 'kubernetes.nodes');
    const reflectorNodes = nodes.filter((n) => n.routeReflector);
    // A reflector whose node is NotReady is not "running" in the seed's sense.
    const running = reflectorNodes.filter((n) => n.ready !== false);
    const subnets = need(facts.topology.subnets, 'aws.instances');
    const uncovered = subnets.filter((s) => !running.some((n) => n.subnetId === s.subnetId));
    const reflectorEvidence: Evidence[] = reflectorNodes.map((n) => ({
      object: `Node ${n.name}`,
      field: 'metadata.annotations["projectcalico.org/RouteReflectorClusterID"]',
      value: model.nodes?.find((m) => m.name === n.name)?.routeReflectorClusterId ?? null,
      note: `subnet ${n.subnetId ?? 'unknown'}${n.ready === false ? ', NotReady' : ''}`,
    }));
    if (running.length >= MINIMUM && !uncovered.length) {
      return {
        status: 'pass',
        summary: `${running.length} route reflectors run (${listSome(running.map((n) => n.name))}), covering all ${subnets.length} subnet${
          subnets.length > 1 ? 's' : ''
        } that hold nodes.`,
        evidence: reflectorEvidence,
      };
    }
    const problems: string[] = [];
    if (running.length < MINIMUM) {
      problems.push(
        `only ${running.length} route reflector${running.length === 1 ? '' : 's'} ${running.length === 1 ? 'runs' : 'run'}${
          reflectorNodes.length > running.length ? ` (${reflectorNodes.length - running.length} NotReady)` : ''
        }, so one failure leaves nodes without routes`,
      );
    }
    if (uncovered.length) {
      const notReady = (subnetId: string) => reflectorNodes.filter((n) => n.subnetId === subnetId && n.ready === false).map((n) => n.name);
      problems.push(
        `subnet${uncovered.length > 1 ? 's' : ''} ${listSome(
          uncovered.map((s) => {
            const down = notReady(s.subnetId);
            return `${s.subnetId} (${s.nodeCount} nodes${down.length ? `; reflector ${down.join(', ')} NotReady` : ''})`;
          }),
        )} ${uncovered.length > 1 ? 'have' : 'has'} no running route reflector`,
      );
    }
    const clusterIds = [...new Set(reflectorNodes.map((n) => model.nodes?.find((m) => m.name === n.name)?.routeReflectorClusterId))];
    const clusterId = clusterIds.length === 1 && clusterIds[0] ? clusterIds[0] : undefined;
    const added = suggestReflectors(nodes, running.map((n) => n.name));
    return {
      status: 'fail',
      severity: 'high',
      summary: `Route reflection is a single point of failure: ${problems.join('; ')}.`,
      evidence: [
        ...reflectorEvidence,
        ...subnets.map((s) => ({
          object: `ec2:Subnet ${s.subnetId}`,
          field: 'route reflectors',
          value: running.filter((n) => n.subnetId === s.subnetId).map((n) => n.name),
          note: `${s.nodeCount} nodes`,
        })),
      ],
      remediation: added.length
        ? [
            added.length > 1
              ? comment`make ${added.join(', ')} route reflectors (better: dedicated, tainted nodes), with the cluster id the others use,`
              : comment`make ${added[0]!} a route reflector (better: dedicated, tainted nodes), with the cluster id the others use,`,
            note("and give them whatever labels your BGPPeers' peerSelector picks reflectors by:"),
            ...reflectorNodeCommands(added, clusterId),
          ]
        : [note('no other node is available: add nodes (one per subnet lacking a reflector), then on each:'), ...reflectorNodeCommands(['NEW_NODE'], clusterId)],
    };
  },
});
