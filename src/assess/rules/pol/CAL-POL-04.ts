/**
 * CAL-POL-04 — under a default deny, DNS egress (UDP and TCP 53) is allowed.
 *
 * Seed 002's `global-deny-all` carries "# Allow egress DNS traffic to any destination"; seed 001
 * keeps "default-allow-all-dns" ("Default DNS resolution allowed globally"). Resolvers fall back to
 * TCP for large answers, so both protocols must pass.
 */
import type { Policy } from '../../model.js';
import { dnsAllowance } from '../../policy-analysis.js';
import { quoted, yaml, yamlLines, type Remediation } from '../../remediation.js';
import { defineRule, type Evidence } from '../../rule.js';
import { clusterPolicies, policyAheadOfDeny } from './policies.js';
import { calicoPresent } from '../applies.js';

/** A global policy ahead of the deny, selecting the same endpoints, that lets DNS out. */
function allowDnsManifest(deny: Policy, protocols: Array<'UDP' | 'TCP'>): Remediation {
  return [
    policyAheadOfDeny(
      deny,
      'allow-dns-egress',
      yamlLines(
        yaml`  selector: ${quoted(deny.selector || 'all()')}`,
        ...(deny.namespaceSelector ? [yaml`  namespaceSelector: ${quoted(deny.namespaceSelector)}`] : []),
        yaml`  types:
    - Egress
  egress:`,
        ...protocols.map(
          (protocol) => yaml`    - action: Allow
      protocol: ${protocol}
      destination:
        ports: [53]`,
        ),
      ),
    ),
  ];
}

export default defineRule({
  id: 'CAL-POL-04',
  title: 'Under a default deny, DNS egress (UDP and TCP 53) is allowed',
  problem: 'The default deny blocks DNS',
  area: 'POL',
  severities: ['high'],
  seed: '002 "Allow egress DNS traffic"; 001 "default-allow-all-dns"',
  keyFact: { section: 'policy', label: 'DNS under the default deny' },
  appliesWhen(context) {
    const present = calicoPresent(context);
    if (present !== true) return present;
    return clusterPolicies(context).defaultDeny ? true : 'No cluster-wide default deny (CAL-POL-01): nothing blocks DNS.';
  },
  evaluate(context) {
    const { policies, namespaces, tiers, defaultDeny } = clusterPolicies(context);
    const deny = defaultDeny!;
    const { udp, tcp } = dnsAllowance(policies, deny, namespaces, tiers);
    const evidence: Evidence[] = [
      { object: `GlobalNetworkPolicy ${deny.name}`, note: `the default deny (tier ${deny.tier}, order ${deny.order ?? 'none'})` },
      ...([['UDP', udp], ['TCP', tcp]] as const).map(([protocol, policy]) =>
        policy
          ? { object: `GlobalNetworkPolicy ${policy.name}`, field: 'spec.egress', value: `Allow ${protocol} 53` }
          : { object: `${protocol} 53 egress`, value: 'denied', note: 'no egress Allow for every workload is reached before the deny' },
      ),
    ];
    if (udp && tcp) {
      const by = udp === tcp ? udp.name : `${udp.name} (UDP) and ${tcp.name} (TCP)`;
      return { status: 'pass', summary: `DNS egress on UDP and TCP 53 passes the default deny ${deny.name}: allowed by ${by}.`, evidence };
    }
    const missing = [...(udp ? [] : ['UDP' as const]), ...(tcp ? [] : ['TCP' as const])];
    return {
      status: 'fail',
      severity: 'high',
      summary:
        `The default deny ${deny.name} blocks DNS over ${missing.join(' and ')} 53: no global policy lets it out first` +
        (missing.length === 1
          ? missing[0] === 'TCP'
            ? ', so answers too large for UDP (and resolvers that use TCP) fail.'
            : ', so ordinary name lookups fail.'
          : ', so pods cannot resolve names.'),
      evidence,
      remediation: allowDnsManifest(deny, missing),
    };
  },
});
