/**
 * The report's last section: the `calicoctl`, `kubectl` and `aws` commands that show the same
 * evidence by hand, with this cluster's names, namespace and region filled in (shell-quoted).
 */
import type { Assessment } from '../assess/assess.js';
import { blank, cmd, note, joined, renderRemediation, value, type Step } from '../assess/remediation.js';

/** One block of commented commands, ready to paste (rendered by the remediation model's one quoting function). */
export const diagnosticCommands = (assessment: Assessment): string => `${renderRemediation(diagnosticSteps(assessment)).text}\n`;

/** The diagnostic commands as data. */
export function diagnosticSteps(assessment: Assessment): Step[] {
  const { facts, target } = assessment;
  const region = value(target.region, 'region');
  const cluster = value(target.clusterName, 'cluster name');
  const namespace = value(facts.components?.find((c) => c.name === 'calico-node')?.namespace ?? 'calico-system', 'namespace');
  const calico = facts.calico.presence !== 'absent';
  const operator = facts.calico.method === 'operator';
  const steps: Step[] = [
    note('Point kubectl at the cluster'),
    cmd('aws', 'eks', 'update-kubeconfig', '--region', region, '--name', cluster),
    blank,
    note('Control plane: version, endpoint access, logging, encryption'),
    cmd(
      'aws', 'eks', 'describe-cluster', '--region', region, '--name', cluster, '--query',
      'cluster.{version:version,platform:platformVersion,endpoint:resourcesVpcConfig,logging:logging,encryption:encryptionConfig}',
    ),
    blank,
  ];
  if (calico) {
    steps.push(
      note('add --allow-version-mismatch if calicoctl refuses the Calico version'),
      note('Calico version and installation'),
      cmd('calicoctl', 'version'),
      ...(operator ? [cmd('kubectl', 'get', 'installation', 'default', '-o', 'yaml'), cmd('kubectl', 'get', 'tigerastatus')] : []),
      blank,
      note('Calico components'),
      cmd('kubectl', 'get', 'daemonset,deployment', '-n', namespace, '-o', 'wide'),
      cmd('kubectl', 'get', 'pods', '-n', namespace, '-o', 'wide'),
      blank,
      note('IP pools and address use'),
      cmd('calicoctl', 'get', 'ippool', '-o', 'wide'),
      cmd('calicoctl', 'ipam', 'show', '--show-blocks'),
      blank,
      // BGP off: nothing to show but the configuration that turns it off (in the Installation or calico-node's env, above).
      ...(facts.bgp.enabled === false
        ? []
        : [
            note('BGP configuration and peers (the sessions: calicoctl node status, on a node)'),
            cmd('calicoctl', 'get', 'bgpconfiguration', 'default', '-o', 'yaml'),
            cmd('calicoctl', 'get', 'bgppeer', '-o', 'wide'),
            cmd('calicoctl', 'get', 'nodes', '-o', 'wide'),
            blank,
          ]),
      note('Felix configuration'),
      cmd('calicoctl', 'get', 'felixconfiguration', 'default', '-o', 'yaml'),
      blank,
      note('Tiers and policies'),
      cmd('calicoctl', 'get', 'tier'),
      cmd('calicoctl', 'get', 'globalnetworkpolicy', '-o', 'wide'),
      cmd('calicoctl', 'get', 'networkpolicy', '--all-namespaces', '-o', 'wide'),
      cmd('kubectl', 'get', 'networkpolicy', '--all-namespaces'),
      blank,
    );
  }
  steps.push(
    note('Nodes: subnet, address, source/destination check, security groups'),
    cmd(
      'aws', 'ec2', 'describe-instances', '--region', region, '--filters', joined('Name=tag:eks:cluster-name,Values=', value(target.clusterName, 'cluster name')),
      '--query', 'Reservations[].Instances[].{id:InstanceId,name:PrivateDnsName,subnet:SubnetId,ip:PrivateIpAddress,srcDst:SourceDestCheck,groups:SecurityGroups[].GroupId}',
      '--output', 'table',
    ),
  );
  const groups = (facts.securityGroups ?? []).map((g) => value(g.groupId, 'security group id'));
  if (groups.length) {
    steps.push(blank, note('Node security groups'), cmd('aws', 'ec2', 'describe-security-groups', '--region', region, '--group-ids', ...groups));
  }
  if (facts.cluster.vpcId) {
    steps.push(
      blank,
      note('VPC route tables'),
      cmd(
        'aws', 'ec2', 'describe-route-tables', '--region', region, '--filters', joined('Name=vpc-id,Values=', value(facts.cluster.vpcId, 'VPC id')),
        '--query', 'RouteTables[].{id:RouteTableId,subnets:Associations[].SubnetId,routes:length(Routes)}',
      ),
    );
  }
  return steps;
}
