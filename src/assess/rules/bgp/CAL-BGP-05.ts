/**
 * CAL-BGP-05 — advertised service CIDRs are reported, with the ECMP requirement upstream.
 *
 * Seed 002 "Routable Service Network": "add the service CIDRs to the BGPConfiguration. This assumes
 * BGPPeers are already configured … It is important that ToR components support ECMP load
 * balancing. If they do not, service traffic will be routed through a single node." The snapshot
 * cannot see the routers, so the rule reports what is advertised and to whom; it fails (at info,
 * weight 0) only when the advertisement cannot work: no router outside the cluster peers, or the
 * advertised cluster-IP range misses the cluster's service CIDR.
 */
import { cidrContains, parseCidr } from '../../ipv4.js';
import { cmd, json, note, yaml, type Step } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoctlApply } from './topology.js';
import { calicoRunsBgp } from '../applies.js';

const ECMP_NOTE = 'upstream routers must load-balance across the nodes with ECMP, or all service traffic enters through a single node';

export default defineRule({
  id: 'CAL-BGP-05',
  title: 'Advertised service CIDRs are reported, with the ECMP requirement on upstream routers',
  problem: 'Advertised service CIDRs reach no upstream router, or miss the service CIDR',
  why: 'the service addresses Calico advertises reach no router',
  area: 'BGP',
  severities: ['info'],
  seed: '002 "Routable Service Network"',
  appliesWhen(context) {
    const runs = calicoRunsBgp(context);
    if (runs !== true) return runs;
    const configuration = context.need(context.model.bgpConfiguration, 'calico.bgpConfigurations');
    const advertised = [...configuration.serviceClusterIPs, ...configuration.serviceExternalIPs, ...configuration.serviceLoadBalancerIPs];
    return advertised.length ? true : 'No service CIDRs are advertised over BGP (serviceClusterIPs, serviceExternalIPs and serviceLoadBalancerIPs are empty).';
  },
  evaluate({ model, facts, need }) {
    const configuration = model.bgpConfiguration!;
    const peers = need(model.bgpPeers, 'calico.bgpPeers');
    const object = `BGPConfiguration ${configuration.ref.name}`;
    const advertisedEvidence: Evidence[] = (
      [
        ['spec.serviceClusterIPs', configuration.serviceClusterIPs],
        ['spec.serviceExternalIPs', configuration.serviceExternalIPs],
        ['spec.serviceLoadBalancerIPs', configuration.serviceLoadBalancerIPs],
      ] as const
    )
      .filter(([, cidrs]) => cidrs.length)
      .map(([field, cidrs]) => ({ object, field, value: cidrs }));
    const advertised = [...configuration.serviceClusterIPs, ...configuration.serviceExternalIPs, ...configuration.serviceLoadBalancerIPs];

    // A peerIP that is one of the cluster's own nodes is not an upstream router.
    const nodeAddresses = new Set(
      (model.nodes ?? []).flatMap((n) => [n.internalIp, n.calicoIPv4Address?.split('/')[0]]).filter((a): a is string => !!a),
    );
    const upstream = peers.filter((p) => p.peerIP && !p.peerSelector && !nodeAddresses.has(p.peerIP.replace(/:\d+$/, '')));

    const serviceCidr = facts.cluster.serviceCidr;
    const service = parseCidr(serviceCidr ?? undefined);
    const clusterIpRanges = configuration.serviceClusterIPs.map((c) => parseCidr(c)).filter((c) => c !== undefined);
    const missesServiceCidr =
      service !== undefined && configuration.serviceClusterIPs.length > 0 && !clusterIpRanges.some((range) => cidrContains(range, service));

    if (!upstream.length || missesServiceCidr) {
      const problems: string[] = [];
      const fixes: Step[] = [];
      if (!upstream.length) {
        problems.push('no BGPPeer names a router outside the cluster (peerIP), so nothing upstream learns them');
        fixes.push(
          note('peer with the upstream router (its address and AS number), or stop advertising:'),
          calicoctlApply(yaml`apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: upstream-router
spec:
  peerIP: ROUTER_IP
  asNumber: ROUTER_AS`),
          note(`calicoctl patch bgpconfiguration default --patch '{"spec":{"serviceClusterIPs":[],"serviceExternalIPs":[],"serviceLoadBalancerIPs":[]}}'`),
        );
      }
      if (missesServiceCidr) {
        problems.push(`serviceClusterIPs (${configuration.serviceClusterIPs.join(', ')}) does not cover the cluster's service CIDR ${serviceCidr}`);
        fixes.push(cmd('calicoctl', 'patch', 'bgpconfiguration', 'default', '--patch', json({ spec: { serviceClusterIPs: [{ cidr: serviceCidr }] } })));
      }
      return {
        status: 'fail',
        severity: 'info',
        summary: `Calico advertises service CIDRs ${listSome(advertised)} over BGP, but ${problems.join('; and ')}.`,
        evidence: [
          ...advertisedEvidence,
          ...(serviceCidr ? [{ object: `eks:Cluster ${facts.cluster.name}`, field: 'kubernetesNetworkConfig.serviceIpv4Cidr', value: serviceCidr }] : []),
          { object: 'BGPPeers', field: 'spec.peerIP', value: peers.map((p) => p.peerIP).filter((ip) => ip !== null) },
        ],
        remediation: fixes,
      };
    }
    return {
      status: 'pass',
      summary: `Calico advertises service CIDRs ${listSome(advertised)} to ${upstream.length} upstream BGP peer${
        upstream.length > 1 ? 's' : ''
      } (${listSome(upstream.map((p) => `${p.name} ${p.peerIP}`))}); ${ECMP_NOTE}.`,
      evidence: [
        ...advertisedEvidence,
        ...upstream.map((p) => ({ object: `BGPPeer ${p.name}`, field: 'spec.peerIP', value: p.peerIP, note: ECMP_NOTE })),
      ],
    };
  },
});
