/** AWS credentials for collection: the default chain, or a role assumed through STS for cross-account reads. */
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { awsRequestHandler } from './clients.js';

export type CredentialProvider = ReturnType<typeof fromNodeProviderChain>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;

export interface CredentialOptions {
  region: string;
  /** Assume this role (cross-account reads); otherwise the default chain's identity is used as is. */
  roleArn?: string;
  /** The external id the role's trust policy requires, if any. */
  externalId?: string;
  /** The session name CloudTrail records for the collector's calls. */
  sessionName?: string;
  /** The identity that assumes the role; default: the default chain. */
  masterCredentials?: CredentialProvider;
  /** Replaces the HTTP handler of the STS client that assumes the role (tests). */
  stsRequestHandler?: NonNullable<Parameters<typeof fromTemporaryCredentials>[0]['clientConfig']>['requestHandler'];
}

/** Refresh this long before the credentials expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Shares one set of credentials between the EKS, EC2 and STS clients and the EKS token, so a role
 * is assumed once per collection rather than once per client.
 */
export function memoizeCredentials(provider: CredentialProvider, now: () => number = Date.now): CredentialProvider {
  let current: Promise<Credentials> | undefined;
  return async () => {
    const cached = current && (await current.catch(() => undefined));
    if (cached && (!cached.expiration || cached.expiration.getTime() - now() > REFRESH_MARGIN_MS)) return cached;
    current = provider();
    return current;
  };
}

/** The credential provider the collector's clients use. */
export function collectorCredentials(options: CredentialOptions): CredentialProvider {
  if (!options.roleArn) return memoizeCredentials(fromNodeProviderChain());
  return memoizeCredentials(
    fromTemporaryCredentials({
      params: {
        RoleArn: options.roleArn,
        RoleSessionName: options.sessionName ?? 'calico-audit',
        // Collection takes seconds to minutes; the shortest session STS grants is plenty.
        DurationSeconds: 900,
        ...(options.externalId ? { ExternalId: options.externalId } : {}),
      },
      // A regional STS client, so AWS_ENDPOINT_URL_STS and FIPS settings apply to AssumeRole too.
      // AssumeRole times out like every other call.
      clientConfig: { region: options.region, requestHandler: options.stsRequestHandler ?? awsRequestHandler() },
      ...(options.masterCredentials ? { masterCredentials: options.masterCredentials } : {}),
    }),
  );
}
