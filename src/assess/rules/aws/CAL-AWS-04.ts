/**
 * CAL-AWS-04 — security groups admit VXLAN (UDP 4789, or Felix's vxlanPort) between nodes when a
 * pool uses VXLAN.
 *
 * Seed 001, a VXLAN cluster: "All inter-node communication happens through VXLAN tunnels", so a
 * security group that drops the tunnel's UDP port cuts pods off from every other node.
 */
import { defineRule } from '../../rule.js';
import { evaluateException, exceptionApplies } from './security-group-exception.js';

export default defineRule({
  id: 'CAL-AWS-04',
  title: 'Security groups admit VXLAN (UDP 4789) between nodes',
  problem: 'Security groups refuse VXLAN (UDP 4789) between nodes',
  why: 'EC2 drops the VXLAN packets that carry pod traffic between nodes',
  area: 'AWS',
  severities: ['critical'],
  seed: '001 VXLAN cluster ("All inter-node communication happens through VXLAN tunnels")',
  appliesWhen: (context) => exceptionApplies(context, 'VXLAN'),
  evaluate: (context) =>
    evaluateException(context, 'VXLAN', {
      severity: 'critical',
      consequence: 'pod traffic tunnelled in VXLAN between them is dropped',
    }),
});
