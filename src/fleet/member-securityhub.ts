/** Security Hub clients in member accounts, through the member role (the account that owns a finding imports it). */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { MemberAccess } from './member-access.js';

export function securityHubThroughMemberRole(access: MemberAccess): (accountId: string, region: string) => SecurityHubClient {
  const clients = new Map<string, SecurityHubClient>();
  return (accountId, region) => {
    const key = `${accountId}/${region}`;
    let client = clients.get(key);
    if (!client) {
      client = new SecurityHubClient({ region, credentials: access.credentialsFor(accountId, region) });
      clients.set(key, client);
    }
    return client;
  };
}
