/**
 * CAL-AWS-06 — security groups admit WireGuard (UDP 51820, or Felix's wireguardListeningPort)
 * between nodes when WireGuard is on.
 *
 * Seed 001 "WireGuard Encryption - Consider enabling for encryption in transit": once it is on,
 * pod traffic between nodes travels inside WireGuard's UDP tunnel, so the port must pass.
 */
import { defineRule } from '../../rule.js';
import { evaluateException, exceptionApplies } from './security-group-exception.js';

export default defineRule({
  id: 'CAL-AWS-06',
  title: 'Security groups admit WireGuard (UDP 51820) between nodes',
  problem: 'Security groups refuse WireGuard (UDP 51820) between nodes',
  why: 'pod traffic between nodes fails once WireGuard is on',
  area: 'AWS',
  severities: ['high'],
  seed: '001 encryption ("WireGuard Encryption - Consider enabling for encryption in transit")',
  appliesWhen: (context) => exceptionApplies(context, 'WireGuard'),
  evaluate: (context) =>
    evaluateException(context, 'WireGuard', {
      severity: 'high',
      consequence: 'the WireGuard tunnel between them cannot form, and encrypted pod traffic between them is dropped',
    }),
});
