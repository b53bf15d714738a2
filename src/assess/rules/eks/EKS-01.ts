/**
 * EKS-01 — the Kubernetes API endpoint is not open to the whole internet.
 *
 * No seed passage (security review): with `endpointPublicAccess: true` and `publicAccessCidrs`
 * holding `0.0.0.0/0`, anyone can reach the API server and try credentials or exploits against it.
 */
import { cmd, note, value } from '../../remediation.js';
import { defineRule } from '../../rule.js';

const OPEN_TO_ALL = ['0.0.0.0/0', '::/0'];

export default defineRule({
  id: 'EKS-01',
  title: 'The public API endpoint is off or restricted',
  problem: 'The public API endpoint is open to the internet',
  why: 'anyone on the internet can reach the Kubernetes API',
  area: 'EKS',
  severities: ['high'],
  seed: '— (security review)',
  appliesWhen: () => true,
  evaluate({ model, facts, need }) {
    const cluster = need(model.eks, 'aws.cluster');
    const vpcConfig = need(cluster.resourcesVpcConfig, 'aws.cluster');
    const publicAccess = need(vpcConfig.endpointPublicAccess, 'aws.cluster');
    const object = `eks:Cluster ${cluster.name ?? facts.cluster.name}`;
    if (!publicAccess) {
      return {
        status: 'pass',
        summary: 'The public API endpoint is off: the API server is reachable only from inside the VPC.',
        evidence: [
          { object, field: 'resourcesVpcConfig.endpointPublicAccess', value: false },
          { object, field: 'resourcesVpcConfig.endpointPrivateAccess', value: vpcConfig.endpointPrivateAccess ?? null },
        ],
      };
    }
    const cidrs = need(vpcConfig.publicAccessCidrs, 'aws.cluster');
    const open = cidrs.filter((c) => OPEN_TO_ALL.includes(c));
    const evidence = [
      { object, field: 'resourcesVpcConfig.endpointPublicAccess', value: true },
      { object, field: 'resourcesVpcConfig.publicAccessCidrs', value: cidrs },
    ];
    if (!open.length) {
      return {
        status: 'pass',
        summary: `The public API endpoint is on but admits only ${cidrs.length} CIDR${cidrs.length === 1 ? '' : 's'} (${cidrs.join(', ')}).`,
        evidence,
      };
    }
    const { region } = facts.cluster;
    const update = (config: string) =>
      cmd('aws', 'eks', 'update-cluster-config', '--region', value(region, 'region'), '--name', value(cluster.name ?? facts.cluster.name, 'cluster name'), '--resources-vpc-config', config);
    return {
      status: 'fail',
      severity: 'high',
      summary: `The Kubernetes API endpoint is public and open to ${open.join(' and ')}: anyone on the internet can reach the API server${vpcConfig.endpointPrivateAccess ? '' : ', and nodes reach it over the public endpoint too (private access is off)'}.`,
      evidence: [...evidence, { object, field: 'resourcesVpcConfig.endpointPrivateAccess', value: vpcConfig.endpointPrivateAccess ?? null }],
      remediation: [
        note('Keep the API private (whatever runs kubectl, CI and this audit must then reach it from inside the VPC):'),
        update('endpointPublicAccess=false,endpointPrivateAccess=true'),
        note('or keep it public for known networks only (replace the example CIDR with yours):'),
        update('endpointPublicAccess=true,endpointPrivateAccess=true,publicAccessCidrs=203.0.113.0/24'),
      ],
    };
  },
});
