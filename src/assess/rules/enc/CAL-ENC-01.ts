/**
 * CAL-ENC-01 — WireGuard encryption in transit is on.
 *
 * Seed 001 "Areas for Attention": "Encryption: WireGuard/IPSec encryption not detected", and
 * "WireGuard Encryption - Consider enabling for encryption in transit". Calico encrypts pod traffic
 * between nodes with WireGuard, with Calico CNI or the AWS VPC CNI alike.
 */
import { calicoDefaults } from '../../../reference/index.js';
import { comment, note } from '../../remediation.js';
import { defineRule } from '../../rule.js';
import { felixSetting, setFelixCommand } from '../configuration.js';
import { calicoPresent } from '../applies.js';

export default defineRule({
  id: 'CAL-ENC-01',
  title: 'WireGuard encryption in transit is on',
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
    if (facts.wireguard.enabled) {
      const families = [felix.wireguardEnabled ? 'IPv4' : null, felix.wireguardEnabledV6 ? 'IPv6' : null].filter(Boolean).join(' and ');
      return { status: 'pass', summary: `WireGuard encrypts ${families} pod traffic between nodes.`, evidence };
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
        comment`WireGuard adds ${encapsulationOverhead.WireGuard} bytes per packet (${encapsulationOverhead.WireGuardv6} for IPv6): with MTU auto-detection Calico allows for it;`,
        note('an MTU set by hand must drop by that much (CAL-RT-07).'),
        ...setFelixCommand(model, 'wireguardEnabled', true),
      ],
    };
  },
});
