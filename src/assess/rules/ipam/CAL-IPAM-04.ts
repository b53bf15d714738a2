/**
 * CAL-IPAM-04 — every node is selected by at least one enabled IPv4 pool.
 *
 * Seed 002 "Routable Pod Network": "the cluster adds a label qualifier to only apply the default
 * IPPool to specific nodes (based on label)" — `nodeSelector: network-type == 'non-routable'`, with
 * a second pool for `network-type == 'routable'`. A node no pool selects cannot give its pods an
 * address: they stay in ContainerCreating.
 */
import { cmd, comment, joined, json, note, value, type Remediation } from '../../remediation.js';
import { defineRule, listSome } from '../../rule.js';
import { selects } from '../../selector.js';
import { freePoolCidr, ipPoolManifest } from './pool-manifest.js';
import { calicoRoutesPods, poolsRoutingWorkloads } from '../applies.js';

/** `key == 'value'`: a selector a node can be labelled to match. */
const EQUALITY = /^\s*([A-Za-z0-9_./-]+)\s*==\s*(['"])([^'"]*)\2\s*$/;

export default defineRule({
  id: 'CAL-IPAM-04',
  title: 'Every node is selected by at least one enabled IPv4 pool',
  problem: 'A node is selected by no enabled IPv4 pool',
  why: 'pods on that node get no address',
  area: 'IPAM',
  severities: ['critical'],
  seed: '002 IPPool nodeSelector ("Routable Pod Network")',
  appliesWhen: calicoRoutesPods,
  evaluate({ model, facts, need }) {
    const pools = poolsRoutingWorkloads(need(facts.pools, 'calico.ippools'));
    // Fargate pods get VPC addresses from AWS, not from Calico.
    const nodes = need(model.nodes, 'kubernetes.nodes').filter((n) => !n.fargate);
    const orphans = nodes.filter((n) => !pools.some((p) => selects(p.nodeSelector, n.labels)));
    if (!orphans.length) {
      return {
        status: 'pass',
        summary: `Each of the ${nodes.length} nodes is selected by ${
          pools.length === 1 ? 'the enabled IPv4 pool' : `at least one of the ${pools.length} enabled IPv4 pools`
        } (${listSome(pools.map((p) => `${p.name}: ${p.nodeSelector}`))}).`,
        evidence: pools.map((p) => ({ object: `IPPool ${p.name}`, field: 'spec.nodeSelector', value: p.nodeSelector })),
      };
    }

    const names = orphans.map((n) => value(n.name, 'node name'));
    let remediation: Remediation;
    if (!pools.length) {
      const taken = [...(facts.pools ?? []).map((p) => p.cidr), ...(facts.cluster.vpcCidrs ?? []), facts.cluster.serviceCidr].filter(
        (c): c is string => !!c,
      );
      const cidr = freePoolCidr(16, taken) ?? 'FREE_CIDR_/16';
      remediation = [comment`no enabled IPv4 pool hands out pod addresses: create one (check ${cidr} is unused in your network)`, ipPoolManifest('default-ipv4-ippool', cidr, undefined)];
    } else {
      const labelled = pools.map((p) => ({ pool: p, match: EQUALITY.exec(p.nodeSelector) })).find((p) => p.match);
      remediation = labelled
        ? [
            comment`label the nodes for the pool meant to serve them, e.g. ${labelled.pool.name} (${labelled.pool.nodeSelector}):`,
            cmd('kubectl', 'label', 'node', ...names, joined(value(labelled.match![1]!, 'label key'), '=', value(labelled.match![3]!, 'label value'))),
            note('and add the label to their node group so new nodes carry it'),
          ]
        : [
            comment`widen a pool's nodeSelector to take these nodes, e.g. ${pools[0]!.name} (now ${pools[0]!.nodeSelector}):`,
            cmd('calicoctl', 'patch', 'ippool', value(pools[0]!.name, 'IPPool name'), '--patch', json({ spec: { nodeSelector: 'all()' } })),
            note("or label the nodes as the intended pool's nodeSelector expects"),
          ];
    }
    return {
      status: 'fail',
      severity: 'critical',
      summary: `${orphans.length} of ${nodes.length} nodes (${listSome(orphans.map((n) => n.name))}) ${
        orphans.length > 1 ? 'are' : 'is'
      } selected by no enabled IPv4 pool${pools.length ? ` (${listSome(pools.map((p) => `${p.name}: ${p.nodeSelector}`))})` : ''}: pods scheduled there get no address and never start.`,
      evidence: [
        ...pools.map((p) => ({ object: `IPPool ${p.name}`, field: 'spec.nodeSelector', value: p.nodeSelector })),
        ...(pools.length ? [] : [{ object: 'IPPools', value: (facts.pools ?? []).map((p) => p.name), note: 'no enabled IPv4 pool for workloads' }]),
        ...orphans.map((n) => ({ object: `Node ${n.name}`, field: 'metadata.labels', value: n.labels })),
      ],
      remediation,
    };
  },
});
