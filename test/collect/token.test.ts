/** The EKS token: k8s-aws-v1. + base64url of a presigned STS GetCallerIdentity URL signing x-k8s-aws-id. */
import { createHash, createHmac } from 'node:crypto';
import { STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EKS_TOKEN_PREFIX, eksToken, resolveStsEndpoint, type StsEndpoint } from '../../src/collect/kube/token.js';
import { noNetwork } from '../helpers/aws-mock.js';

// The example credentials of the AWS SigV4 documentation; fixed region, cluster and time.
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const REGION = 'eu-west-2';
const CLUSTER = 'reference-crosssubnet';
const AT = new Date('2026-11-23T02:00:00Z');

const fixedCredentials = () => Promise.resolve(CREDENTIALS);

const sts = (config: Record<string, unknown> = {}) =>
  new STSClient({ region: REGION, credentials: fixedCredentials, requestHandler: noNetwork, ...config });

async function tokenFor(client = sts(), credentials: () => Promise<typeof CREDENTIALS & { sessionToken?: string }> = fixedCredentials) {
  const endpoint = await resolveStsEndpoint(client);
  const token = await eksToken({ clusterName: CLUSTER, credentials, endpoint, signingDate: AT });
  return { endpoint, token, url: new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8')) };
}

/** SigV4 for a presigned GET worked out by hand with node:crypto, from the URL's own query. */
function handSignature(url: URL, clusterName: string, secret: string): string {
  const params = [...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature');
  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalQuery = params
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = ['GET', url.pathname, canonicalQuery, `host:${url.host}`, `x-k8s-aws-id:${clusterName}`, '', 'host;x-k8s-aws-id', createHash('sha256').update('').digest('hex')].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const [, date, region, service] = /^[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(url.searchParams.get('X-Amz-Credential')!)!;
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

afterEach(() => vi.unstubAllEnvs());

describe('EKS token', () => {
  it('is k8s-aws-v1. followed by unpadded base64url of an https URL', async () => {
    const { token, url } = await tokenFor();
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    expect(url.protocol).toBe('https:');
  });

  it('presigns STS GetCallerIdentity at the regional endpoint for 60 seconds, signing host and x-k8s-aws-id', async () => {
    const { url } = await tokenFor();
    expect(url.host).toBe('sts.eu-west-2.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Date')).toBe('20261123T020000Z');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20261123/eu-west-2/sts/aws4_request');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('carries a signature that an independent @smithy/signature-v4 presign of the same request reproduces', async () => {
    const { url } = await tokenFor();
    const signer = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: 'sts', sha256: Hash.bind(null, 'sha256') });
    const expected = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: 'sts.eu-west-2.amazonaws.com',
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: 'sts.eu-west-2.amazonaws.com', 'x-k8s-aws-id': CLUSTER },
      },
      { expiresIn: 60, signingDate: AT },
    );
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expected.query!['X-Amz-Signature']);
  });

  it('carries the signature SigV4 gives when worked out by hand from its own query', async () => {
    const { url } = await tokenFor();
    expect(url.searchParams.get('X-Amz-Signature')).toBe(handSignature(url, CLUSTER, CREDENTIALS.secretAccessKey));
  });

  it('depends on the cluster name (a token for one cluster is no token for another)', async () => {
    const endpoint: StsEndpoint = await resolveStsEndpoint(sts());
    const a = await eksToken({ clusterName: 'a', credentials: fixedCredentials, endpoint, signingDate: AT });
    const b = await eksToken({ clusterName: 'b', credentials: fixedCredentials, endpoint, signingDate: AT });
    expect(a).not.toBe(b);
  });

  it('carries the session token of temporary credentials in the signed query', async () => {
    const { url } = await tokenFor(sts(), () => Promise.resolve({ ...CREDENTIALS, sessionToken: 'FwoGZXIvYXdzEXAMPLE' }));
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('FwoGZXIvYXdzEXAMPLE');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(handSignature(url, CLUSTER, CREDENTIALS.secretAccessKey));
  });
});

describe('STS endpoint for the token', () => {
  it('comes from the SDK configuration: AWS_ENDPOINT_URL_STS is honoured', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_STS', 'https://sts.vpce-0123.example.internal:8443');
    const { url, endpoint } = await tokenFor(sts());
    expect(url.host).toBe('sts.vpce-0123.example.internal:8443');
    expect(endpoint.signingRegion).toBe(REGION);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(handSignature(url, CLUSTER, CREDENTIALS.secretAccessKey));
  });

  it('comes from the SDK configuration: the FIPS setting selects the FIPS endpoint', async () => {
    const { url } = await tokenFor(sts({ region: 'us-east-1', useFipsEndpoint: true }));
    expect(url.host).toBe('sts-fips.us-east-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Credential')).toContain('/us-east-1/sts/aws4_request');
  });

  it('is resolved without sending anything (the client has no network)', async () => {
    await expect(resolveStsEndpoint(sts())).resolves.toMatchObject({ hostname: 'sts.eu-west-2.amazonaws.com' });
  });
});
