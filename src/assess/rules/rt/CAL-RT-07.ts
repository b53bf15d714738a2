/**
 * CAL-RT-07 — the configured MTU fits the network MTU and the encapsulation.
 *
 * Seed 002 "MTU Configuration": "MTU calculation is done by determining the Network MTU and then
 * subtracting based on your routing configuration: Native: Subtract by 0. IP-in-IP: Subtract by 20.
 * VXLAN: Subtract by 50." with "9001 (AWS Jumbo) 9001 8981 8951". Larger than the path allows, big
 * packets are fragmented or dropped; far smaller, every packet carries less than it could. An MTU
 * of 0 (or unset) lets Calico detect it from the host interface, which arrives at the same number.
 */
import type { Facts } from '../../facts.js';
import { cmd, json, note, value, type Remediation, type Step } from '../../remediation.js';
import { defineRule } from '../../rule.js';
import { calicoRoutesPods } from '../applies.js';

/** How much smaller than the expected MTU is tolerated before it is worth a finding. */
const SLACK = 100;

/** The command that sets the MTU where it is configured now. */
function setMtu(facts: Facts, mtu: number): Step[] {
  const source = facts.mtu.configuredSource ?? '';
  const namespace = value(facts.components?.find((c) => c.name === 'calico-node')?.namespace ?? 'kube-system', 'namespace');
  const felixField = /^FelixConfiguration (\w+)/.exec(source)?.[1];
  if (felixField) return [cmd('calicoctl', 'patch', 'felixconfiguration', 'default', '--patch', json({ spec: { [felixField]: mtu } }))];
  if (source.startsWith('Installation')) return [cmd('kubectl', 'patch', 'installation', 'default', '--type', 'merge', '-p', json({ spec: { calicoNetwork: { mtu } } }))];
  if (source.startsWith('calico-config')) {
    return [
      cmd('kubectl', '-n', namespace, 'patch', 'configmap', 'calico-config', '--type', 'merge', '-p', json({ data: { veth_mtu: String(mtu) } })),
      cmd('kubectl', '-n', namespace, 'rollout', 'restart', 'daemonset', 'calico-node'),
    ];
  }
  const envName = /^calico-node (\w+)/.exec(source)?.[1] ?? 'CNI_MTU';
  return [cmd('kubectl', '-n', namespace, 'set', 'env', 'daemonset/calico-node', `${envName}=${mtu}`)];
}

export default defineRule({
  id: 'CAL-RT-07',
  title: 'The configured MTU matches the network MTU minus the encapsulation overhead',
  problem: 'The configured MTU does not match the network MTU minus the encapsulation overhead',
  why: 'packets are dropped or fragmented, or carry less than they could',
  area: 'RT',
  severities: ['high', 'low'],
  severityNote: `high if larger than the path allows; low if more than ${SLACK} bytes smaller than it could be`,
  seed: '002 "MTU Configuration"',
  appliesWhen: calicoRoutesPods,
  evaluate({ model, facts, need }) {
    const { mtu } = facts;
    need(facts.encapsulation, 'calico.ippools');
    need(facts.wireguard.enabled, 'calico.felixConfigurations');
    const networkMtu = need(mtu.networkMtu, 'kubernetes.nodes', 'aws.instances');
    if (mtu.configured === null) {
      if (model.components === null) need(null, 'kubernetes.daemonSets', 'kubernetes.configMaps');
      return {
        status: 'unknown',
        summary: "Calico's configured MTU was not found: no Installation calicoNetwork.mtu, calico-config veth_mtu, calico-node CNI_MTU or FelixConfiguration tunnel MTU.",
        evidence: [{ object: 'Calico MTU settings', value: null, note: 'none found in the collected objects' }],
      };
    }
    const expected = need(mtu.expected, 'kubernetes.nodes', 'aws.instances');
    const basis = `network MTU ${networkMtu} minus ${mtu.overheadReason}`;
    const evidence = [
      { object: mtu.configuredSource ?? 'Calico MTU', field: 'mtu', value: mtu.configured },
      { object: 'network MTU', value: networkMtu, note: mtu.networkMtuReason ?? undefined },
      { object: 'expected MTU', value: expected, note: basis },
    ];

    if (mtu.configured === 0) {
      return {
        status: 'pass',
        summary: `Calico auto-detects the MTU (${mtu.configuredSource}): it takes the host interface's MTU minus the encapsulation overhead, ${expected} here (${basis}).`,
        evidence,
      };
    }
    if (mtu.configured > expected) {
      return {
        status: 'fail',
        severity: 'high',
        summary: `Calico's MTU is ${mtu.configured} (${mtu.configuredSource}) but the path allows ${expected} (${basis}): larger pod packets are fragmented or, with don't-fragment set, silently dropped.`,
        evidence,
        remediation: remediationFor(facts, expected),
      };
    }
    if (mtu.configured < expected - SLACK) {
      return {
        status: 'fail',
        severity: 'low',
        summary: `Calico's MTU is ${mtu.configured} (${mtu.configuredSource}), ${expected - mtu.configured} bytes below the ${expected} the path allows (${basis}): pod traffic carries less per packet than it could.`,
        evidence,
        remediation: remediationFor(facts, expected),
      };
    }
    return {
      status: 'pass',
      summary:
        mtu.configured === expected
          ? `Calico's MTU is ${mtu.configured} (${mtu.configuredSource}), exactly what the path allows (${basis}).`
          : `Calico's MTU is ${mtu.configured} (${mtu.configuredSource}), within ${SLACK} bytes below the ${expected} the path allows (${basis}).`,
      evidence,
    };
  },
});

function remediationFor(facts: Facts, expected: number): Remediation {
  return [
    ...setMtu(facts, expected),
    note(
      (facts.mtu.configuredSource ?? '').startsWith('Installation')
        ? 'or remove spec.calicoNetwork.mtu to let Calico detect it from the host interface.'
        : 'or set it to 0 to let Calico detect it from the host interface.',
    ),
    note('Existing pods keep their old MTU until they are restarted (seed 002): restart them, e.g. kubectl -n <namespace> rollout restart deployment'),
  ];
}
