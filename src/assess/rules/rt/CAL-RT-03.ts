/**
 * CAL-RT-03 — a pool enables at most one encapsulation.
 *
 * Seed 002 lists the routing methods as alternatives — native, IP-in-IP, VXLAN — and shows each pool
 * with one of `ipipMode`/`vxlanMode` set and the other `Never`. Calico's API rejects a pool with both
 * on, but a raw `crd.projectcalico.org/v1` object bypasses that check; BIRD (IP-in-IP) and Felix
 * (VXLAN) then both program routes for the same blocks. Every pool is checked, disabled ones too:
 * a disabled pool still routes the pods it addressed, and re-enabling it brings the conflict back.
 */
import { cmd, json, note, value, type Step } from '../../remediation.js';
import { defineRule, listSome } from '../../rule.js';
import { calicoRoutesPods } from '../applies.js';

export default defineRule({
  id: 'CAL-RT-03',
  title: 'A pool enables at most one encapsulation',
  problem: 'A pool enables two encapsulations',
  why: 'Calico does not support both on one pool, so routing is unpredictable',
  area: 'RT',
  severities: ['high'],
  seed: '002 routing methods (native, IP-in-IP, VXLAN)',
  appliesWhen: calicoRoutesPods,
  evaluate({ facts, need }) {
    const pools = need(facts.pools, 'calico.ippools');
    const both = pools.filter((p) => p.ipipMode !== 'Never' && p.vxlanMode !== 'Never');
    if (!both.length) {
      return {
        status: 'pass',
        summary: pools.length
          ? `${pools.length > 1 ? `Each of the ${pools.length} pools` : `Pool ${pools[0]!.name}`} enables at most one encapsulation.`
          : 'No IP pools exist, so none enables two encapsulations.',
      };
    }
    // Keep the encapsulation that matches how routes are distributed: IP-in-IP needs BGP, VXLAN does not.
    const bgp = facts.bgp.enabled;
    const keep = bgp === true ? 'IP-in-IP' : bgp === false ? 'VXLAN' : null;
    const remediation = both
      .flatMap((pool): Step[] => {
        const name = value(pool.name, 'IPPool name');
        const keepIpip = cmd('calicoctl', 'patch', 'ippool', name, '--patch', json({ spec: { vxlanMode: 'Never' } }));
        const keepVxlan = cmd('calicoctl', 'patch', 'ippool', name, '--patch', json({ spec: { ipipMode: 'Never' } }));
        if (keep === 'IP-in-IP') return [note('BGP runs: keep IP-in-IP'), keepIpip];
        if (keep === 'VXLAN') return [note('BGP is off: keep VXLAN'), keepVxlan];
        return [note('with BGP on, keep IP-in-IP:'), keepIpip, note('with BGP off, keep VXLAN:'), keepVxlan];
      })
      .concat([
        note(
          keep === 'IP-in-IP'
            ? 'and allow IP-in-IP (IP protocol 4) between nodes (CAL-AWS-03)'
            : keep === 'VXLAN'
              ? 'and allow VXLAN (UDP 4789) between nodes (CAL-AWS-04)'
              : 'and allow the kept protocol between nodes: IP protocol 4 (CAL-AWS-03) or UDP 4789 (CAL-AWS-04)',
        ),
      ]);
    return {
      status: 'fail',
      severity: 'high',
      summary:
        `${listSome(both.map((p) => (p.disabled ? `${p.name} (disabled)` : p.name)))} ${both.length > 1 ? 'enable' : 'enables'} both IP-in-IP and VXLAN, which Calico's API rejects: ` +
        (bgp === false
          ? 'with BGP off only VXLAN routes are programmed today, and enabling BGP would make IP-in-IP routes compete with them.'
          : 'IP-in-IP routes (from BIRD) and VXLAN routes (from Felix) compete for the same pod blocks.'),
      evidence: both.flatMap((pool) => [
        { object: `IPPool ${pool.name}`, field: 'spec.ipipMode', value: pool.ipipMode },
        { object: `IPPool ${pool.name}`, field: 'spec.vxlanMode', value: pool.vxlanMode },
      ]),
      remediation,
      objects: both.map((pool) => ({ kind: 'IPPool', name: pool.name })),
    };
  },
});
