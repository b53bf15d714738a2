/**
 * CAL-AWS-02 — security groups admit BGP (TCP 179) between nodes when BGP runs.
 *
 * Seed 000 "Configure Security Groups": "Calico requires the following security group exceptions
 * to function properly in AWS … BGP | Custom TCP Rule | TCP | 179". Without it BIRD's sessions never
 * form and nodes learn no routes to each other's pod blocks.
 */
import { defineRule } from '../../rule.js';
import { evaluateException, exceptionApplies } from './security-group-exception.js';

export default defineRule({
  id: 'CAL-AWS-02',
  title: 'Security groups admit BGP (TCP 179) between nodes',
  problem: 'Security groups refuse BGP (TCP 179) between nodes',
  why: "BGP sessions cannot form, so nodes learn no routes to each other's pods",
  area: 'AWS',
  severities: ['critical'],
  seed: '000 "Configure Security Groups" (BGP, TCP 179)',
  appliesWhen: (context) => exceptionApplies(context, 'BGP'),
  evaluate: (context) =>
    evaluateException(context, 'BGP', {
      severity: 'critical',
      consequence: 'their BGP sessions cannot form, so the nodes never learn the routes to each other\'s pods',
    }),
});
