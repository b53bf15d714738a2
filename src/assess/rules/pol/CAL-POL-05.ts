/**
 * CAL-POL-05 — under a default deny, kube-system traffic is allowed.
 *
 * Seed 002's `global-deny-all` keeps "# Allow all egress traffic from kube-system" and "# Allow
 * all ingress traffic for the kube-system namespace": the deny "denies all pod network traffic by
 * default, except for workloads in kube-system". CoreDNS, metrics-server and add-ons live there.
 */
import type { Policy } from '../../model.js';
import { kubeSystemAllowance } from '../../policy-analysis.js';
import { yaml, yamlLines, type Remediation } from '../../remediation.js';
import { defineRule, type Evidence } from '../../rule.js';
import { clusterPolicies, policyAheadOfDeny } from './policies.js';
import { calicoPresent } from '../applies.js';

/** A global policy ahead of the deny that applies to kube-system only and allows it all traffic. */
function allowKubeSystemManifest(deny: Policy, directions: Array<'Ingress' | 'Egress'>): Remediation {
  return [
    policyAheadOfDeny(
      deny,
      'allow-kube-system',
      yamlLines(
        yaml`  namespaceSelector: kubernetes.io/metadata.name == 'kube-system'
  types:`,
        ...directions.map((d) => yaml`    - ${d}`),
        ...directions.map((d) => yaml`  ${d.toLowerCase()}:
    - action: Allow`),
      ),
    ),
  ];
}

export default defineRule({
  id: 'CAL-POL-05',
  title: 'Under a default deny, kube-system traffic is allowed',
  problem: 'The default deny blocks kube-system traffic',
  area: 'POL',
  severities: ['medium'],
  seed: '002 kube-system rules',
  keyFact: { section: 'policy', label: 'kube-system under the default deny' },
  appliesWhen(context) {
    const present = calicoPresent(context);
    if (present !== true) return present;
    return clusterPolicies(context).defaultDeny ? true : 'No cluster-wide default deny (CAL-POL-01): nothing blocks kube-system.';
  },
  evaluate(context) {
    const { policies, namespaces, tiers, defaultDeny } = clusterPolicies(context);
    const deny = defaultDeny!;
    const { exempt, egressFrom, ingressTo } = kubeSystemAllowance(policies, deny, namespaces, tiers);
    if (exempt) {
      return {
        status: 'pass',
        summary: `The default deny ${deny.name} does not select kube-system, so kube-system traffic is left to its own policies.`,
        evidence: [
          {
            object: `GlobalNetworkPolicy ${deny.name}`,
            field: deny.namespaceSelector ? 'spec.namespaceSelector' : 'spec.selector',
            value: deny.namespaceSelector ?? deny.selector,
            note: 'does not select kube-system',
          },
        ],
      };
    }
    const evidence: Evidence[] = [
      { object: `GlobalNetworkPolicy ${deny.name}`, note: `the default deny selects kube-system (tier ${deny.tier}, order ${deny.order ?? 'none'})` },
      ...([['Egress', egressFrom], ['Ingress', ingressTo]] as const).map(([direction, policy]) =>
        policy
          ? { object: `${policy.kind} ${policy.name}`, field: `spec.${direction.toLowerCase()}`, value: `Allow all ${direction === 'Egress' ? 'from' : 'to'} kube-system` }
          : { object: `kube-system ${direction.toLowerCase()}`, value: 'denied', note: 'no all-traffic Allow for kube-system is reached before the deny' },
      ),
    ];
    if (egressFrom && ingressTo) {
      return {
        status: 'pass',
        summary: `Under the default deny ${deny.name}, kube-system keeps all its traffic: egress allowed by ${egressFrom.name}, ingress by ${ingressTo.name}.`,
        evidence,
      };
    }
    const missing = [...(ingressTo ? [] : ['Ingress' as const]), ...(egressFrom ? [] : ['Egress' as const])];
    return {
      status: 'fail',
      severity: 'medium',
      summary:
        `The default deny ${deny.name} selects kube-system and nothing allows its ${missing.map((d) => d.toLowerCase()).join(' or ')} traffic first: ` +
        'CoreDNS, metrics-server and other add-ons there lose the traffic the deny refuses.',
      evidence,
      remediation: allowKubeSystemManifest(deny, missing),
    };
  },
});
