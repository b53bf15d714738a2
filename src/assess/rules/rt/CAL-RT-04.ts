/**
 * CAL-RT-04 — BGP matches the routing mode.
 *
 * Seed 002: "IP-in-IP and Native both require BGP to distribute routes amongst nodes", and for
 * VXLAN: "Unless you plan to peer IPPools with existing network hardware, you should deactivate BGP
 * peering to reduce overhead". Felix programs VXLAN routes itself (CrossSubnet's same-subnet routes
 * too), so a VXLAN or VXLAN-CrossSubnet pool needs no BGP; with FelixConfiguration
 * `programClusterRoutes: Enabled` Felix programs IP-in-IP routes as well. BGP kept for external
 * peers or advertised service addresses is that "existing network hardware" case, not overhead.
 * A disabled pool whose pods still hold its addresses (a migration from IP-in-IP to VXLAN in
 * progress) still needs BGP for them: switching BGP off would cut those pods off.
 */
import type { PoolFact } from '../../facts.js';
import type { ClusterModel } from '../../model.js';
import { cmd, json, note, type Step } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoRoutesPods, poolsCarryingTraffic } from '../applies.js';

const modesOf = (pool: PoolFact): Evidence[] => [
  { object: `IPPool ${pool.name}`, field: 'spec.ipipMode', value: pool.ipipMode },
  { object: `IPPool ${pool.name}`, field: 'spec.vxlanMode', value: pool.vxlanMode },
];

/** How to switch BIRD on or off for this install method. */
function bgpSwitch(model: ClusterModel, on: boolean): Step[] {
  const operator = [cmd('kubectl', 'patch', 'installation', 'default', '--type', 'merge', '-p', json({ spec: { calicoNetwork: { bgp: on ? 'Enabled' : 'Disabled' } } }))];
  const manifest = [
    cmd('kubectl', '-n', 'kube-system', 'patch', 'configmap', 'calico-config', '--type', 'merge', '-p', json({ data: { calico_backend: on ? 'bird' : 'vxlan' } })),
    note(
      on
        ? 'restore the -bird-live and -bird-ready checks in the calico-node probes (kubectl -n kube-system edit daemonset calico-node), then:'
        : 'remove the -bird-live and -bird-ready checks from the calico-node probes (kubectl -n kube-system edit daemonset calico-node), then:',
    ),
    cmd('kubectl', '-n', 'kube-system', 'rollout', 'restart', 'daemonset', 'calico-node'),
  ];
  if (model.install.method === 'operator') return operator;
  if (model.install.method === 'manifest') return manifest;
  return [note('operator install:'), ...operator, note('manifest install:'), ...manifest];
}

export default defineRule({
  id: 'CAL-RT-04',
  title: 'BGP matches the routing mode',
  problem: 'BGP does not match the routing mode',
  why: 'routes go missing, or BGP runs for nothing',
  area: 'RT',
  severities: ['critical', 'low'],
  severityNote: 'critical when a pool routes natively or with IP-in-IP and BGP is off; low when every pool is VXLAN and BGP still runs',
  seed: '002 "IP-in-IP and Native both require BGP", "deactivate BGP peering to reduce overhead"',
  alsoIn: ['bgp'],
  keyFact: { section: 'bgp', label: 'Analysis' },
  appliesWhen(context) {
    const routes = calicoRoutesPods(context);
    if (routes !== true) return routes;
    const pools = poolsCarryingTraffic(context.need(context.facts.pools, 'calico.ippools'));
    return pools.length ? true : 'No IPv4 pool routes pod traffic, so no routing mode calls for BGP.';
  },
  evaluate({ model, facts, need }) {
    const pools = poolsCarryingTraffic(need(facts.pools, 'calico.ippools'));
    const bgpEnabled = need(facts.bgp.enabled, 'calico.installation', 'kubernetes.daemonSets');
    const bgpEvidence: Evidence = { object: 'BGP', field: 'enabled', value: bgpEnabled, note: facts.bgp.source ?? undefined };
    const felixRoutesIpip = model.felix?.programClusterRoutes === 'Enabled';
    // A pool with VXLAN on gets its routes from Felix; native and IP-in-IP pools from BIRD (unless Felix programs IP-in-IP).
    const needBgp = pools.filter((p) => p.vxlanMode === 'Never' && (p.ipipMode === 'Never' || !felixRoutesIpip));
    const describe = (p: PoolFact) =>
      `${p.name} (${p.ipipMode === 'Never' ? 'native' : `IP-in-IP ${p.ipipMode}`}${p.draining ? `; disabled, but ${p.allocated} pod addresses still allocated` : ''})`;

    if (needBgp.length && bgpEnabled) {
      return {
        status: 'pass',
        summary: `BGP runs (${facts.bgp.source ?? 'BIRD enabled'}) and distributes the routes of ${listSome(needBgp.map(describe))}.`,
        evidence: [bgpEvidence],
      };
    }
    if (needBgp.length) {
      const ipipOnly = needBgp.every((p) => p.ipipMode !== 'Never');
      return {
        status: 'fail',
        severity: 'critical',
        summary: `${listSome(needBgp.map(describe))} ${needBgp.length > 1 ? 'need' : 'needs'} BGP to distribute pod routes, but BGP is off (${facts.bgp.source ?? 'BIRD not running'}): nodes learn no routes to each other's pods and pod traffic between nodes is dropped.`,
        evidence: [...needBgp.flatMap(modesOf), bgpEvidence],
        remediation: [
          note('Turn BGP (BIRD) on:'),
          ...bgpSwitch(model, true),
          note('and allow BGP (TCP 179) between the nodes (CAL-AWS-02).'),
          ...(ipipOnly
            ? [
                note('Or, for IP-in-IP pools only, let Felix program the routes without BIRD:'),
                cmd('calicoctl', 'patch', 'felixconfiguration', 'default', '--patch', json({ spec: { programClusterRoutes: 'Enabled' } })),
              ]
            : []),
        ],
      };
    }
    const vxlanPools = pools.filter((p) => p.vxlanMode !== 'Never');
    const felixIpip = pools.filter((p) => p.vxlanMode === 'Never');
    const routedBy = [
      vxlanPools.length ? `${listSome(vxlanPools.map((p) => `${p.name} (VXLAN ${p.vxlanMode})`))} ${vxlanPools.length > 1 ? 'get their' : 'gets its'} routes from Felix` : null,
      felixIpip.length ? `Felix programs the IP-in-IP routes of ${listSome(felixIpip.map((p) => p.name))} (programClusterRoutes: Enabled)` : null,
    ]
      .filter(Boolean)
      .join('; ');
    if (!bgpEnabled) {
      return { status: 'pass', summary: `BGP is off and no pool needs it: ${routedBy}.`, evidence: [bgpEvidence] };
    }

    // A disabled pool not read for allocations may still route pods that need BGP: no advice to switch it off then.
    if ((facts.pools ?? []).some((p) => p.ipVersion === 4 && p.carriesTraffic === null && p.vxlanMode === 'Never')) need(null, 'calico.ipamBlocks');
    // BGP runs without a pool needing it: fine when it serves external routers or advertises services.
    const peers = need(facts.bgp.peers, 'calico.bgpPeers');
    const withPeerIp = peers.filter((p) => p.peerIP);
    const nodeIps = withPeerIp.length ? new Set(need(facts.topology.nodes, 'kubernetes.nodes', 'aws.instances').map((n) => n.privateIp)) : new Set();
    const externalPeers = withPeerIp.filter((p) => !nodeIps.has(p.peerIP!.split(':')[0]!));
    const advertised = [
      ...facts.bgp.serviceClusterIPs,
      ...facts.bgp.serviceExternalIPs,
      ...(model.bgpConfiguration?.serviceLoadBalancerIPs ?? []),
    ];
    if (externalPeers.length || advertised.length) {
      const uses = [
        externalPeers.length ? `peers with ${listSome(externalPeers.map((p) => `${p.name} (${p.peerIP})`))}` : null,
        advertised.length ? `advertises service addresses ${listSome(advertised)}` : null,
      ]
        .filter(Boolean)
        .join(' and ');
      return { status: 'pass', summary: `No pool needs BGP for pod routes (${routedBy}), but BGP ${uses}, so it is kept on purpose.`, evidence: [bgpEvidence] };
    }
    return {
      status: 'fail',
      severity: 'low',
      summary: `BGP runs (${facts.bgp.source ?? 'BIRD enabled'}) although no pool needs it (${routedBy}) and it peers with no external router: BIRD only adds overhead, and TCP 179 must stay open between nodes for nothing.`,
      evidence: [...pools.flatMap(modesOf), bgpEvidence],
      remediation: [
        note('Deactivate BGP peering (seed 002: "you should deactivate BGP peering to reduce overhead"):'),
        ...bgpSwitch(model, false),
        note('then the TCP 179 security group rule between nodes can go.'),
      ],
    };
  },
});
