/**
 * CAL-AWS-01 — source/destination check is off wherever pod packets leave nodes unencapsulated.
 *
 * Seed 000 "Routing Traffic Within a Single VPC Subnet": "Since Calico assigns IP addresses outside
 * the range used by AWS for EC2 instances, you must disable AWS src/dst checks on each EC2
 * instance". Seed 002: native routing is problematic where networks "Enforce source/destination
 * checks for inbound packets".
 */
import { cmd, loop, note, value, variable } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoRoutesPods } from '../applies.js';

export default defineRule({
  id: 'CAL-AWS-01',
  title: 'Source/destination check is off on every node that sends unencapsulated pod traffic',
  problem: 'Source/destination check is on where pod traffic is unencapsulated',
  why: 'EC2 drops pod packets that leave or reach a node whose check is on',
  area: 'AWS',
  severities: ['critical'],
  seed: '000 "Routing Traffic Within a Single VPC Subnet"; 002 "Enforce source/destination checks"',
  appliesWhen(context) {
    const routes = calicoRoutesPods(context);
    if (routes !== true) return routes;
    return context.need(context.facts.srcDstCheckMustBeOff, 'calico.ippools')
      ? true
      : 'Every pool encapsulates all pod traffic (IPIP or VXLAN Always): EC2 sees only node addresses.';
  },
  evaluate({ model, facts, need }) {
    const nodes = need(facts.topology.nodes, 'kubernetes.nodes', 'aws.instances');
    need(model.instances, 'aws.instances');
    const checked = nodes.filter((n) => n.srcDstCheck === true);
    const unknown = nodes.filter((n) => n.srcDstCheck === null);
    const felixDisables = facts.felix.awsSrcDstCheck === 'Disable';
    if (!checked.length && unknown.length) need(null, 'aws.instances');
    if (!checked.length) {
      return {
        status: 'pass',
        summary: `Source/destination check is off on all ${nodes.length} nodes.`,
        evidence: [{ object: 'ec2:Instance (all nodes)', field: 'SourceDestCheck', value: false }],
      };
    }
    const evidence: Evidence[] = checked.map((n) => ({
      object: `ec2:Instance ${n.instanceId ?? n.name}`,
      field: 'SourceDestCheck',
      value: true,
      note: `node ${n.name}`,
    }));
    if (felixDisables) {
      evidence.push({
        object: 'FelixConfiguration default',
        field: 'spec.awsSrcDstCheck',
        value: 'Disable',
        note: 'Felix is told to turn the check off but EC2 still shows it on: Felix lacks ec2:ModifyNetworkInterfaceAttribute',
      });
    }
    const ids = checked.map((n) => n.instanceId).filter((id): id is string => !!id);
    const region = facts.cluster.region;
    const remediation = [
      loop(
        'id',
        ids.map((id) => value(id, 'instance id')),
        cmd('aws', 'ec2', 'modify-instance-attribute', '--region', value(region, 'region'), '--instance-id', variable('id'), '--no-source-dest-check'),
      ),
      note(
        felixDisables
          ? 'and grant the calico-node role ec2:ModifyNetworkInterfaceAttribute (and ec2:DescribeInstances) so Felix keeps new nodes fixed'
          : `so new nodes are fixed too: calicoctl patch felixconfiguration default --patch '{"spec":{"awsSrcDstCheck":"Disable"}}'`,
      ),
    ];
    return {
      status: 'fail',
      severity: 'critical',
      summary:
        `${checked.length} of ${nodes.length} nodes (${listSome(checked.map((n) => n.name))}) keep the EC2 source/destination check on while pods are routed without encapsulation: EC2 drops their pod traffic.` +
        (felixDisables ? ' Felix is set to disable the check (awsSrcDstCheck: Disable) but lacks the IAM permission to do it.' : ''),
      evidence,
      remediation,
      verify: [
        note('every instance shows false:'),
        cmd('aws', 'ec2', 'describe-instances', '--region', value(region, 'region'), '--instance-ids', ...ids.map((id) => value(id, 'instance id')), '--query', 'Reservations[].Instances[].[InstanceId,SourceDestCheck]', '--output', 'text'),
      ],
      objects: checked.map((n) => ({ kind: 'Node', name: n.name })),
    };
  },
});
