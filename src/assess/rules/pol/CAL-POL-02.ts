/**
 * CAL-POL-02 — no global policy allows all traffic for all endpoints.
 *
 * Seed 001 lists "2 global policies (default-allow-all, default-allow-all-dns)" and recommends
 * "Assess if default-allow-all policies align with security requirements"; seed 002 builds on a
 * "global default deny-all policy". An allow-all that selects every workload makes any deny moot.
 */
import { allowAllPolicies } from '../../policy-analysis.js';
import { cmd, note, value } from '../../remediation.js';
import { defineRule, listSome } from '../../rule.js';
import { calicoPolicyName, clusterPolicies } from './policies.js';
import { calicoPresent } from '../applies.js';

export default defineRule({
  id: 'CAL-POL-02',
  title: 'No global policy allows all traffic for all endpoints',
  problem: 'A global policy allows all traffic for all endpoints',
  area: 'POL',
  severities: ['high'],
  seed: '001 "default-allow-all"; 002 default deny',
  appliesWhen: calicoPresent,
  evaluate(context) {
    const { policies, namespaces } = clusterPolicies(context);
    const globals = policies.filter((p) => p.kind === 'GlobalNetworkPolicy');
    const allowAll = allowAllPolicies(policies, namespaces);
    if (!allowAll.length) {
      return {
        status: 'pass',
        summary:
          globals.length > 1
            ? `None of the ${globals.length} global policies allows all traffic for every workload.`
            : globals.length
              ? `The only global policy, ${globals[0]!.name}, does not allow all traffic for every workload.`
              : 'There are no global policies, so none allows all traffic for every workload.',
      };
    }
    // "Every workload" is judged on the namespaces' real labels before it becomes a finding.
    context.need(namespaces, 'kubernetes.namespaces');
    const names = allowAll.map((a) => a.policy.name);
    return {
      status: 'fail',
      severity: 'high',
      summary:
        names.length === 1
          ? `GlobalNetworkPolicy ${names[0]} selects every workload and allows all ${allowAll[0]!.directions.join(' and ')} traffic: ` +
            'policies ordered after it, a default deny among them, never see that traffic.'
          : `GlobalNetworkPolicies ${listSome(allowAll.map((a) => `${a.policy.name} (${a.directions.join(' and ')})`), 5)} select every ` +
            'workload and allow all traffic in those directions: policies ordered after them, a default deny among them, never see that traffic.',
      evidence: allowAll.flatMap(({ policy, directions }) =>
        directions.map((direction) => ({
          object: `GlobalNetworkPolicy ${policy.name}`,
          field: `spec.${direction.toLowerCase()}`,
          value: 'action: Allow (no protocol, source or destination)',
          note: `tier ${policy.tier}, order ${policy.order ?? 'none'}, selector ${policy.selector || 'all()'}${policy.namespaceSelector ? `, namespaceSelector ${policy.namespaceSelector}` : ''}`,
        })),
      ),
      objects: allowAll.map(({ policy }) => ({ kind: 'GlobalNetworkPolicy', name: policy.name })),
      remediation: [
        note('First put a default deny in place (CAL-POL-01) and the policies each namespace needs (CAL-POL-03).'),
        note('Deleting the allow-all can drop traffic at once: pods that other policies select lose whatever only it allowed.'),
        ...allowAll.map(({ policy }) => cmd('calicoctl', 'delete', 'globalnetworkpolicy', value(calicoPolicyName(policy), 'GlobalNetworkPolicy name'))),
      ],
    };
  },
});
