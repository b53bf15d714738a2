/**
 * CAL-AWS-05 — security groups admit Typha (TCP 5473) from every node to the nodes running Typha.
 *
 * Seed 002 "Install Typha": Typha "fans out configuration to all calico-node instances in a
 * cluster"; calico-node on every node connects to a Typha pod (host network, TCP 5473). A node
 * that cannot reach Typha gets no policy or route updates.
 */
import { defineRule } from '../../rule.js';
import { evaluateException, exceptionApplies } from './security-group-exception.js';

export default defineRule({
  id: 'CAL-AWS-05',
  title: "Security groups admit Typha (TCP 5473) from nodes to Typha's nodes",
  problem: "Security groups refuse Typha (TCP 5473) from nodes to Typha's nodes",
  why: 'calico-node cannot reach Typha, so routes and policy stop updating',
  area: 'AWS',
  severities: ['high'],
  seed: '002 "Install Typha" (Typha "fans out configuration to all calico-node instances")',
  appliesWhen: (context) => exceptionApplies(context, 'Typha'),
  evaluate: (context) =>
    evaluateException(context, 'Typha', {
      severity: 'high',
      consequence: 'calico-node on those nodes cannot reach Typha and receives no policy or route updates through it',
    }),
});
