/**
 * Reading member accounts: the auditor's own identity (default chain) assumes each member
 * account's read-only role with the external id; credentials are assumed once per account and
 * region and shared by every client of that cluster.
 */
import { collectorCredentials, type CredentialProvider } from '../collect/aws/credentials.js';
import type { AuditConfig } from '../config/config.js';
import { memberRoleArn } from './targets.js';

export class MemberAccess {
  private readonly credentials = new Map<string, CredentialProvider>();

  constructor(private readonly config: Pick<AuditConfig, 'memberRoleName' | 'externalId'>) {}

  credentialsFor(accountId: string, region: string): CredentialProvider {
    const key = `${accountId}/${region}`;
    let provider = this.credentials.get(key);
    if (!provider) {
      // Every account, the auditor's own included, is read through its member role: one path, one policy.
      provider = collectorCredentials({
        region,
        roleArn: memberRoleArn(accountId, this.config.memberRoleName, region),
        sessionName: 'calico-eks-auditor',
        ...(this.config.externalId ? { externalId: this.config.externalId } : {}),
      });
      this.credentials.set(key, provider);
    }
    return provider;
  }
}
