/**
 * CAL-AWS-03 — security groups admit IP-in-IP (IP protocol 4) between nodes when a pool uses IPIP.
 *
 * Seed 000 "Configure Security Groups": "IPIP | Custom Protocol | IPIP | all … This rule is
 * required only when using Calico with IPIP encapsulation."
 */
import { defineRule } from '../../rule.js';
import { evaluateException, exceptionApplies } from './security-group-exception.js';

export default defineRule({
  id: 'CAL-AWS-03',
  title: 'Security groups admit IP-in-IP (IP protocol 4) between nodes',
  problem: 'Security groups refuse IP-in-IP (IP protocol 4) between nodes',
  why: 'EC2 drops the IP-in-IP packets that carry pod traffic between nodes',
  area: 'AWS',
  severities: ['critical'],
  seed: '000 "Configure Security Groups" (IPIP, all)',
  appliesWhen: (context) => exceptionApplies(context, 'IPIP'),
  evaluate: (context) =>
    evaluateException(context, 'IPIP', {
      severity: 'critical',
      consequence: 'pod traffic encapsulated in IP-in-IP between them is dropped',
    }),
});
