/**
 * CAL-IPAM-03 — pool CIDRs overlap neither each other, the VPC's CIDRs, nor the service CIDR.
 *
 * Seed 002 "Routable Pod and Service Networks": "By default, the pod network and service networks
 * are only routable from the hosts that calico-node runs on", and a pod CIDR must be a range of its
 * own ("introduce a smaller routable pod CIDR"). With Calico CNI on AWS, pod addresses inside the
 * VPC's ranges collide with instance addresses and the VPC's local route; inside the service CIDR
 * they are captured by kube-proxy's service rules.
 */
import type { PoolFact } from '../../facts.js';
import { cidrsOverlap, parseCidr, type Ipv4Cidr } from '../../ipv4.js';
import { cmd, comment, json, value } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { freePoolCidr, ipPoolManifest } from './pool-manifest.js';
import { calicoRoutesPods } from '../applies.js';

interface Clash {
  pool: PoolFact;
  with: string;
  cidr: string;
}

export default defineRule({
  id: 'CAL-IPAM-03',
  title: 'Pool CIDRs overlap neither each other, the VPC, nor the service CIDR',
  problem: 'Pool CIDRs overlap each other, the VPC or the service CIDR',
  why: 'overlapping ranges send traffic to the wrong place',
  area: 'IPAM',
  severities: ['critical'],
  seed: '002 routable pod network ("Routable Pod and Service Networks")',
  appliesWhen(context) {
    const routes = calicoRoutesPods(context);
    if (routes !== true) return routes;
    const pools = context.need(context.facts.pools, 'calico.ippools');
    return pools.some((p) => !p.disabled && p.ipVersion === 4) ? true : 'No enabled IPv4 pool.';
  },
  evaluate({ model, facts, need }) {
    // Every enabled pool hands out addresses (pods, tunnels or load balancers), so each must be a range of its own.
    const pools = need(facts.pools, 'calico.ippools')
      .filter((p) => !p.disabled && p.ipVersion === 4)
      .map((pool) => ({ pool, range: parseCidr(pool.cidr ?? undefined) }))
      .filter((p): p is { pool: PoolFact; range: Ipv4Cidr } => p.range !== undefined);
    if (!pools.length) {
      return {
        status: 'unknown',
        summary: 'No enabled IPv4 pool has a CIDR that parses, so overlaps cannot be checked.',
        evidence: (facts.pools ?? []).map((p) => ({ object: `IPPool ${p.name}`, field: 'spec.cidr', value: p.cidr })),
      };
    }
    const clashes: Clash[] = [];
    pools.forEach(({ pool, range }, i) => {
      for (const other of pools.slice(i + 1)) {
        // Move the pool with fewer allocations (the later one when unknown).
        if (!cidrsOverlap(range, other.range)) continue;
        const [keep, move] = (other.pool.allocated ?? 0) > (pool.allocated ?? 0) ? [other.pool, pool] : [pool, other.pool];
        clashes.push({ pool: move, with: `IPPool ${keep.name}`, cidr: keep.cidr! });
      }
    });
    const vpcCidrs = facts.cluster.vpcCidrs;
    for (const vpcCidr of vpcCidrs ?? []) {
      const vpcRange = parseCidr(vpcCidr);
      if (!vpcRange) continue;
      for (const { pool, range } of pools) if (cidrsOverlap(range, vpcRange)) clashes.push({ pool, with: `VPC ${facts.cluster.vpcId ?? ''}`.trim(), cidr: vpcCidr });
    }
    const serviceCidr = facts.cluster.serviceCidr;
    const serviceRange = parseCidr(serviceCidr ?? undefined);
    if (serviceRange) {
      for (const { pool, range } of pools) if (cidrsOverlap(range, serviceRange)) clashes.push({ pool, with: 'the service CIDR', cidr: serviceCidr! });
    }

    if (!clashes.length) {
      need(vpcCidrs, 'aws.vpc');
      need(model.eks, 'aws.cluster');
      return {
        status: 'pass',
        summary:
          (pools.length > 1
            ? `The ${pools.length} enabled IPv4 pools (${listSome(pools.map((p) => p.pool.cidr!))}) overlap neither each other, `
            : `The enabled IPv4 pool ${pools[0]?.pool.name} (${pools[0]?.pool.cidr}) overlaps neither `) +
          `the VPC (${vpcCidrs!.join(', ')})${serviceCidr ? ` nor the service CIDR ${serviceCidr}` : ''}.`,
        evidence: [
          ...pools.map(({ pool }) => ({ object: `IPPool ${pool.name}`, field: 'spec.cidr', value: pool.cidr })),
          { object: `ec2:Vpc ${facts.cluster.vpcId ?? ''}`.trim(), field: 'CidrBlockAssociationSet', value: vpcCidrs },
          ...(serviceCidr ? [{ object: `eks:Cluster ${facts.cluster.name}`, field: 'kubernetesNetworkConfig.serviceIpv4Cidr', value: serviceCidr }] : []),
        ],
      };
    }

    const evidence: Evidence[] = clashes.map((c) => ({
      object: `IPPool ${c.pool.name}`,
      field: 'spec.cidr',
      value: c.pool.cidr,
      note: `overlaps ${c.with} (${c.cidr})`,
    }));
    const unchecked = [vpcCidrs ? null : 'the VPC (not collected)', model.eks ? null : 'the service CIDR (not collected)'].filter((u) => u !== null);
    const taken = [...(facts.pools ?? []).map((p) => p.cidr), ...(vpcCidrs ?? []), serviceCidr].filter((c): c is string => !!c);
    const moving = [...new Map(clashes.map((c) => [c.pool.name, c.pool])).values()];
    const remediation = moving
      .flatMap((pool) => {
        const prefix = Number(pool.cidr?.split('/')[1] ?? 16);
        const cidr = freePoolCidr(prefix, taken) ?? `FREE_CIDR_/${prefix}`;
        taken.push(cidr);
        const name = value(pool.name, 'IPPool name');
        return [
          comment`move pods off ${pool.name}: a new pool in ${cidr} (check it is unused in your network), then drain the old one`,
          ipPoolManifest(`${pool.name}-moved`, cidr, pool),
          cmd('calicoctl', 'patch', 'ippool', name, '--patch', json({ spec: { disabled: true } })),
          comment`recreate the pods that hold ${pool.name} addresses (kubectl rollout restart deployment,statefulset,daemonset -n NAMESPACE), then:`,
          cmd('calicoctl', 'delete', 'ippool', name),
        ];
      });
    return {
      status: 'fail',
      severity: 'critical',
      summary:
        `${listSome(clashes.map((c) => `IPPool ${c.pool.name} (${c.pool.cidr}) overlaps ${c.with} (${c.cidr})`))}: ` +
        'pods get addresses the network already routes elsewhere, so their traffic is misdelivered or dropped.' +
        (unchecked.length ? ` Not checked: ${unchecked.join(', ')}.` : ''),
      evidence,
      remediation,
      objects: moving.map((pool) => ({ kind: 'IPPool', name: pool.name })),
    };
  },
});
