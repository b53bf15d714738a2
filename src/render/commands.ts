/**
 * The report's last section: the `calicoctl`, `kubectl` and `aws` commands that show the same
 * evidence by hand, with this cluster's names, namespace and region filled in (shell-quoted).
 */
import type { Assessment } from '../assess/assess.js';
import { shellQuote } from '../assess/rule.js';

/** One block of commented commands, ready to paste. */
export function diagnosticCommands(assessment: Assessment): string {
  const { facts, target } = assessment;
  const region = shellQuote(target.region);
  const cluster = shellQuote(target.clusterName);
  const namespace = shellQuote(facts.components?.find((c) => c.name === 'calico-node')?.namespace ?? 'calico-system');
  const calico = facts.calico.presence !== 'absent';
  const operator = facts.calico.method === 'operator';
  const lines: string[] = [
    '# Point kubectl at the cluster',
    `aws eks update-kubeconfig --region ${region} --name ${cluster}`,
    '',
    '# The control plane: version, endpoint access, logging, secrets encryption',
    `aws eks describe-cluster --region ${region} --name ${cluster} --query 'cluster.{version:version,platform:platformVersion,endpoint:resourcesVpcConfig,logging:logging,encryption:encryptionConfig}'`,
    '',
  ];
  if (calico) {
    lines.push(
      "# calicoctl refuses to run against a different Calico version: add --allow-version-mismatch if it does",
      '# Calico version, and how it is installed',
      'calicoctl version',
      ...(operator ? ['kubectl get installation default -o yaml', 'kubectl get tigerastatus'] : []),
      '',
      '# Calico components and their health',
      `kubectl get daemonset,deployment -n ${namespace} -o wide`,
      `kubectl get pods -n ${namespace} -o wide`,
      '',
      '# IP pools (encapsulation, NAT outgoing, block size) and address use',
      'calicoctl get ippool -o wide',
      'calicoctl ipam show --show-blocks',
      '',
      '# BGP: configuration, peers, and the sessions seen from a node (run calicoctl node status on the node)',
      'calicoctl get bgpconfiguration default -o yaml',
      'calicoctl get bgppeer -o wide',
      'calicoctl get nodes -o wide',
      '',
      '# Felix: dataplane, WireGuard, MTU, metrics, log level, awsSrcDstCheck',
      'calicoctl get felixconfiguration default -o yaml',
      '',
      '# Policy: tiers in order, global and namespaced policies',
      'calicoctl get tier',
      'calicoctl get globalnetworkpolicy -o wide',
      'calicoctl get networkpolicy --all-namespaces -o wide',
      'kubectl get networkpolicy --all-namespaces',
      '',
    );
  }
  lines.push(
    '# Nodes: instance, subnet, private address, source/destination check, security groups',
    `aws ec2 describe-instances --region ${region} --filters ${shellQuote(`Name=tag:eks:cluster-name,Values=${target.clusterName}`)} --query 'Reservations[].Instances[].{id:InstanceId,name:PrivateDnsName,subnet:SubnetId,ip:PrivateIpAddress,srcDst:SourceDestCheck,groups:SecurityGroups[].GroupId}' --output table`,
  );
  const groups = (facts.securityGroups ?? []).map((g) => shellQuote(g.groupId));
  if (groups.length) {
    lines.push('', '# The node security groups and the traffic they admit', `aws ec2 describe-security-groups --region ${region} --group-ids ${groups.join(' ')}`);
  }
  if (facts.cluster.vpcId) {
    lines.push(
      '',
      '# Route tables of the VPC (pod routes count toward the per-table route quota)',
      `aws ec2 describe-route-tables --region ${region} --filters ${shellQuote(`Name=vpc-id,Values=${facts.cluster.vpcId}`)} --query 'RouteTables[].{id:RouteTableId,subnets:Associations[].SubnetId,routes:length(Routes)}'`,
    );
  }
  return `${lines.join('\n')}\n`;
}
