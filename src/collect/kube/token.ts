/**
 * The EKS bearer token, built in-process (what `aws eks get-token` prints, without the CLI or an
 * exec plugin): `k8s-aws-v1.` + base64url of a presigned STS GetCallerIdentity URL that also signs
 * the header `x-k8s-aws-id: <cluster>`. The API server's authenticator replays the URL to STS to
 * learn the caller's IAM identity. Signing is local: no request is sent.
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CredentialProvider } from '../aws/credentials.js';

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** Seconds the presigned URL is valid; aws-iam-authenticator expects 60. */
export const EKS_TOKEN_EXPIRES_SECONDS = 60;
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';

export interface StsEndpoint {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  /** The region requests to this endpoint are signed for. */
  signingRegion: string;
}

/** Thrown by the capturing middleware to stop the command before anything is signed or sent. */
class EndpointCaptured extends Error {
  constructor(readonly endpoint: Omit<StsEndpoint, 'signingRegion'> & { signingRegion?: string }) {
    super('endpoint captured');
  }
}

/**
 * The endpoint the STS client would call for GetCallerIdentity, resolved by the SDK itself (region,
 * FIPS and dual-stack settings, `AWS_ENDPOINT_URL_STS`, shared config). A middleware on this one
 * command reads the serialised request after endpoint resolution and stops it there.
 */
export async function resolveStsEndpoint(sts: STSClient): Promise<StsEndpoint> {
  const command = new GetCallerIdentityCommand({});
  command.middlewareStack.add(
    (_next, context) => (args) => {
      const request = args.request as { protocol?: string; hostname?: string; port?: number; path?: string };
      const endpoint = (context as { endpointV2?: { properties?: { authSchemes?: Array<{ signingRegion?: string }> } } }).endpointV2;
      return Promise.reject(new EndpointCaptured({
        protocol: request.protocol ?? 'https:',
        hostname: request.hostname ?? '',
        ...(request.port ? { port: request.port } : {}),
        path: request.path || '/',
        ...(endpoint?.properties?.authSchemes?.[0]?.signingRegion ? { signingRegion: endpoint.properties.authSchemes[0].signingRegion } : {}),
      }));
    },
    { step: 'build', priority: 'low', name: 'captureStsEndpoint' },
  );
  try {
    await sts.send(command);
  } catch (error) {
    if (error instanceof EndpointCaptured) {
      const region = await sts.config.region();
      return { ...error.endpoint, signingRegion: error.endpoint.signingRegion ?? region };
    }
    throw error;
  }
  throw new Error('the STS client sent GetCallerIdentity instead of resolving its endpoint');
}

/** RFC 3986 query encoding, as SigV4 canonicalises it. */
const encode = (value: string): string => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface EksTokenOptions {
  clusterName: string;
  credentials: CredentialProvider;
  endpoint: StsEndpoint;
  /** The signing time (injectable so tests are deterministic). */
  signingDate?: Date;
}

/** The presigned GetCallerIdentity URL inside the token. */
export async function presignedCallerIdentityUrl(options: EksTokenOptions): Promise<string> {
  const { endpoint } = options;
  const host = endpoint.port ? `${endpoint.hostname}:${endpoint.port}` : endpoint.hostname;
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: endpoint.signingRegion,
    service: 'sts',
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: endpoint.port } : {}),
      path: endpoint.path,
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host, [CLUSTER_ID_HEADER]: options.clusterName },
    },
    { expiresIn: EKS_TOKEN_EXPIRES_SECONDS, ...(options.signingDate ? { signingDate: options.signingDate } : {}) },
  );
  const query = Object.entries(signed.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).filter((v): v is string => v != null).map((v) => `${encode(key)}=${encode(v)}`))
    .join('&');
  return `${endpoint.protocol}//${host}${endpoint.path}?${query}`;
}

/** The bearer token for the cluster's Kubernetes API. */
export async function eksToken(options: EksTokenOptions): Promise<string> {
  const url = await presignedCallerIdentityUrl(options);
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}
