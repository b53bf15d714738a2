/**
 * The target list for a run: accounts (configured, or AWS Organizations' ACTIVE accounts) ×
 * regions × the EKS clusters in each. An account or region that cannot be listed is recorded and
 * skipped, so one broken member account never stops the night's run.
 */
import { EKSClient, paginateListClusters, type EKSClientConfig } from '@aws-sdk/client-eks';
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { awsClientDefaults } from '../collect/aws/clients.js';
import { boundedPages } from '../collect/pages.js';
import type { AuditConfig } from '../config/config.js';
import type { ClusterTarget } from '../target/index.js';

export interface EnumerationFailure {
  accountId: string;
  region: string | null;
  code: string;
  message: string;
}

export interface Enumeration {
  targets: ClusterTarget[];
  failures: EnumerationFailure[];
}

export interface EnumerationClients {
  organizations: () => OrganizationsClient;
  /** An EKS client reading the member account (through its read-only role). */
  eks: (accountId: string, region: string) => EKSClient;
}

/** `arn:aws:iam::111122223333:role/CalicoAuditReadOnly`, in the region's partition. */
export function memberRoleArn(accountId: string, roleName: string, region: string): string {
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

export const failureOf = (error: unknown): { code: string; message: string } => {
  const e = error as { name?: string; Code?: string; code?: string; message?: string };
  // A read error of our own (a repeated page token) carries its code as `code`.
  const code = e.Code ?? (e.name === 'ReadError' ? e.code : undefined) ?? e.name ?? 'Error';
  return { code, message: (e.message ?? String(error)).split('\n')[0]! };
};

async function accountIds(config: AuditConfig, clients: EnumerationClients, failures: EnumerationFailure[]): Promise<string[]> {
  if (config.accounts !== 'organization') return [...new Set(config.accounts)];
  const ids: string[] = [];
  try {
    for await (const page of boundedPages(paginateListAccounts({ client: clients.organizations() }, {}), (p) => p.NextToken, 'organizations:ListAccounts')) {
      for (const account of page.Accounts ?? []) {
        // `State` replaces the deprecated `Status`; either says whether the account is usable.
        const state = (account as { State?: string }).State ?? account.Status;
        if (account.Id && state === 'ACTIVE') ids.push(account.Id);
      }
    }
  } catch (error) {
    failures.push({ accountId: 'organization', region: null, ...failureOf(error) });
  }
  return ids;
}

export async function enumerateTargets(config: AuditConfig, clients: EnumerationClients): Promise<Enumeration> {
  const failures: EnumerationFailure[] = [];
  const accounts = await accountIds(config, clients, failures);
  const perRegion = await Promise.all(
    accounts.flatMap((accountId) =>
      config.regions.map(async (region) => {
        const names: string[] = [];
        try {
          const pages = paginateListClusters({ client: clients.eks(accountId, region) }, {});
          for await (const page of boundedPages(pages, (p) => p.nextToken, 'eks:ListClusters')) names.push(...(page.clusters ?? []));
        } catch (error) {
          failures.push({ accountId, region, ...failureOf(error) });
        }
        return names.sort().map((clusterName) => ({ accountId, region, clusterName }));
      }),
    ),
  );
  return { targets: interleaveByAccount(perRegion.flat()), failures };
}

/**
 * Targets in the order the run audits them: one cluster from each account and region in turn,
 * keeping each account's own order. The Map runs a window of consecutive targets at once; taken
 * account by account, that window would spend one account's EKS and EC2 request tokens (a bucket per
 * account and region) while the others sat idle (bench/fleet-sim.ts measures the difference).
 */
export function interleaveByAccount<T extends ClusterTarget>(targets: readonly T[]): T[] {
  const queues = new Map<string, T[]>();
  for (const target of targets) {
    const key = `${target.accountId}/${target.region}`;
    let queue = queues.get(key);
    if (!queue) queues.set(key, (queue = []));
    queue.push(target);
  }
  const out: T[] = [];
  const lists = [...queues.values()];
  for (let round = 0; out.length < targets.length; round++) {
    for (const list of lists) if (round < list.length) out.push(list[round]!);
  }
  return out;
}

/** Enumeration clients reading each member account through its role (the hub's own identity lists Organizations). */
export function memberEnumerationClients(
  credentialsFor: (accountId: string, region: string) => EKSClientConfig['credentials'],
  organizationsRegion = 'us-east-1',
): EnumerationClients {
  return {
    organizations: () => new OrganizationsClient({ region: organizationsRegion, ...awsClientDefaults() }),
    eks: (accountId, region) => new EKSClient({ region, credentials: credentialsFor(accountId, region), retryMode: 'adaptive', ...awsClientDefaults() }),
  };
}
