/** Enumeration: accounts × regions × EKS clusters, paginated, with broken accounts recorded, not fatal. */
import { EKSClient, ListClustersCommand, type ListClustersCommandInput } from '@aws-sdk/client-eks';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.js';
import { enumerateTargets, interleaveByAccount, memberRoleArn } from '../src/fleet/targets.js';
import { stringContaining } from './helpers/matchers.js';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('enumerateTargets', () => {
  it('lists the clusters of every ACTIVE organization account in every region, following NextToken', async () => {
    const organizations = mockClient(OrganizationsClient);
    organizations
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({ Accounts: [{ Id: '111122223333', Status: 'ACTIVE' }, { Id: '444455556666', Status: 'SUSPENDED' }], NextToken: 'page-2' })
      .on(ListAccountsCommand, { NextToken: 'page-2' })
      .resolves({ Accounts: [{ Id: '777788889999', Status: 'ACTIVE' }] });
    const eks = mockClient(EKSClient);
    eks
      .on(ListClustersCommand)
      .callsFake(async (input: ListClustersCommandInput, getClient) => {
        const region = await getClient().config.region();
        if (region === 'us-east-1' && !input.nextToken) return { clusters: ['payments'], nextToken: 'more' };
        if (region === 'us-east-1') return { clusters: ['analytics'] };
        return { clusters: ['edge'] };
      });
    const config = parseConfig({ accounts: 'organization', organizationId: 'o-a1b2c3d4e5', regions: ['eu-west-2', 'us-east-1'], bucket: 'reports', externalId: 'calico-audit-test-external-id' });
    const result = await enumerateTargets(config, {
      organizations: () => new OrganizationsClient({ region: 'us-east-1', credentials }),
      eks: (_accountId, region) => new EKSClient({ region, credentials }),
    });
    expect(result.failures).toEqual([]);
    // One cluster from each account and region in turn (see the interleaving test below).
    expect(result.targets).toEqual([
      { accountId: '111122223333', region: 'eu-west-2', clusterName: 'edge' },
      { accountId: '111122223333', region: 'us-east-1', clusterName: 'analytics' },
      { accountId: '777788889999', region: 'eu-west-2', clusterName: 'edge' },
      { accountId: '777788889999', region: 'us-east-1', clusterName: 'analytics' },
      { accountId: '111122223333', region: 'us-east-1', clusterName: 'payments' },
      { accountId: '777788889999', region: 'us-east-1', clusterName: 'payments' },
    ]);
    organizations.restore();
    eks.restore();
  });

  it('records an account whose role cannot be assumed and goes on with the others', async () => {
    const eks = mockClient(EKSClient);
    eks.on(ListClustersCommand).resolves({ clusters: ['main'] });
    const config = parseConfig({ accounts: ['111122223333', '444455556666'], regions: ['eu-west-2'], bucket: 'reports', externalId: 'calico-audit-test-external-id' });
    const result = await enumerateTargets(config, {
      organizations: () => {
        throw new Error('not used');
      },
      eks: (accountId, region) => {
        const client = new EKSClient({ region, credentials });
        if (accountId === '444455556666') {
          client.send = (() =>
            Promise.reject(Object.assign(new Error('User: arn:aws:sts::111122223333:assumed-role/enumerate is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }))) as never;
        }
        return client;
      },
    });
    expect(result.targets).toEqual([{ accountId: '111122223333', region: 'eu-west-2', clusterName: 'main' }]);
    expect(result.failures).toEqual([
      { accountId: '444455556666', region: 'eu-west-2', code: 'AccessDenied', message: stringContaining('sts:AssumeRole') },
    ]);
    eks.restore();
  });

  it('builds member role ARNs in the region\'s partition', () => {
    expect(memberRoleArn('111122223333', 'CalicoAuditReadOnly', 'eu-west-2')).toBe('arn:aws:iam::111122223333:role/CalicoAuditReadOnly');
    expect(memberRoleArn('111122223333', 'R', 'cn-north-1')).toBe('arn:aws-cn:iam::111122223333:role/R');
    expect(memberRoleArn('111122223333', 'R', 'us-gov-west-1')).toBe('arn:aws-us-gov:iam::111122223333:role/R');
  });
});

describe('the order of a run', () => {
  it('takes one cluster from each account and region in turn, so that the audits running at once spread over accounts', () => {
    const t = (accountId: string, clusterName: string, region = 'eu-west-2') => ({ accountId, region, clusterName });
    const targets = [t('111122223333', 'a1'), t('111122223333', 'a2'), t('111122223333', 'a3'), t('444455556666', 'b1'), t('777788889999', 'c1'), t('777788889999', 'c2')];
    expect(interleaveByAccount(targets).map((x) => x.clusterName)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
    // Nothing lost, nothing repeated.
    expect(interleaveByAccount(targets)).toHaveLength(targets.length);
    expect(interleaveByAccount([])).toEqual([]);
  });
});
