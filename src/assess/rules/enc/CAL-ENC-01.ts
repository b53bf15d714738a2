/**
 * CAL-ENC-01 — WireGuard encryption in transit is on.
 *
 * Seed 001 "Areas for Attention": "Encryption: WireGuard/IPSec encryption not detected", and
 * "WireGuard Encryption - Consider enabling for encryption in transit". Calico encrypts pod traffic
 * between nodes with WireGuard, with Calico CNI or the AWS VPC CNI alike.
 */
import { calicoDefaults } from '../../../reference/index.js';
import { comment } from '../../remediation.js';
import { defineRule, listSome } from '../../rule.js';
import { felixSetting, removeNodeFelixSetting, setFelixCommand } from '../configuration.js';
import { calicoPresent } from '../applies.js';
import { felixOverrides } from '../../facts/felix.js';

export default defineRule({
  id: 'CAL-ENC-01',
  title: 'WireGuard encryption in transit is on',
  problem: 'No WireGuard encryption in transit',
  why: 'pod traffic crosses the VPC between nodes unencrypted',
  // WireGuard needs UDP 51820 between nodes first.
  after: ['CAL-AWS-06'],
  area: 'ENC',
  severities: ['medium'],
  seed: '001 "WireGuard/IPSec encryption not detected"',
  appliesWhen: calicoPresent,
  evaluate({ model, facts, need }) {
    const felix = need(model.felix, 'calico.felixConfigurations');
    const v4 = felixSetting(model, 'wireguardEnabled');
    const v6 = felixSetting(model, 'wireguardEnabledV6');
    const evidence = [
      { object: v4.object, field: v4.field, value: felix.wireguardEnabled },
      { object: v6.object, field: v6.field, value: felix.wireguardEnabledV6 },
    ];
    // A node's own FelixConfiguration (node.<name>) overrides the default there.
    const overrides = felixOverrides(model, (f) => ({ v4: f.wireguardEnabled, v6: f.wireguardEnabledV6 }));
    const overrideEvidence = overrides.map((o) => ({
      object: o.object,
      field: 'spec.wireguardEnabled / spec.wireguardEnabledV6',
      value: [o.value.v4, o.value.v6],
      note: `overrides the default on node ${o.node}`,
    }));
    const offOn = overrides.filter((o) => !o.value.v4 && !o.value.v6).map((o) => o.node);
    if (facts.wireguard.enabled && !offOn.length) {
      const families = [felix.wireguardEnabled ? 'IPv4' : null, felix.wireguardEnabledV6 ? 'IPv6' : null].filter(Boolean).join(' and ');
      return { status: 'pass', summary: `WireGuard encrypts ${families} pod traffic between nodes.`, evidence: [...evidence, ...overrideEvidence] };
    }
    if (facts.wireguard.enabled) {
      return {
        status: 'fail',
        severity: 'medium',
        summary: `WireGuard is on by default but off on ${offOn.length} node${offOn.length > 1 ? 's' : ''} (${listSome(offOn)}) by ${offOn.length > 1 ? 'their own FelixConfigurations' : 'its own FelixConfiguration'}: pod traffic to and from ${offOn.length > 1 ? 'them' : 'it'} crosses the VPC unencrypted.`,
        evidence: [...evidence, ...overrideEvidence],
        remediation: overrides
          .filter((o) => offOn.includes(o.node))
          .map((o) => removeNodeFelixSetting(o.name, 'wireguardEnabled')),
      };
    }
    // calico-node's FELIX_* environment overrides the FelixConfiguration: without it, "off" is not established.
    if (!model.components) need(null, 'kubernetes.daemonSets');
    const { ports, encapsulationOverhead } = calicoDefaults;
    return {
      status: 'fail',
      severity: 'medium',
      summary: 'WireGuard is off (wireguardEnabled and wireguardEnabledV6 false): pod traffic crosses the VPC between nodes unencrypted.',
      evidence,
      remediation: [
        comment`Nodes must admit UDP ${ports.wireguard} (${ports.wireguardV6} for IPv6) from each other first (CAL-AWS-06).`,
        // Auto-detected MTUs allow for WireGuard's header; one set by hand must make room for it.
        ...(facts.mtu.configured
          ? [comment`WireGuard adds ${encapsulationOverhead.WireGuard} bytes per packet (${encapsulationOverhead.WireGuardv6} for IPv6): lower the MTU set by hand (${facts.mtu.configured}) by as much (CAL-RT-07).`]
          : []),
        ...setFelixCommand(model, 'wireguardEnabled', true),
      ],
    };
  },
});
