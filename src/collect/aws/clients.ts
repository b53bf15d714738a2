/** The AWS SDK v3 clients the collector uses, configured once: adaptive retry, bounded attempts, timeouts that fail the call. */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient, type EKSClientConfig } from '@aws-sdk/client-eks';
import { STSClient } from '@aws-sdk/client-sts';
import type { CredentialProvider } from './credentials.js';

export interface AwsClients {
  eks: EKSClient;
  ec2: EC2Client;
  /** Self-managed node groups (DescribeAutoScalingGroups). */
  autoScaling: AutoScalingClient;
  /** Used only to resolve the STS endpoint for the EKS token; it never sends a request. */
  sts: STSClient;
}

export interface AwsClientOptions {
  region: string;
  credentials: CredentialProvider;
  /** Attempts per call including the first (SDK adaptive retry); default 5. */
  maxAttempts?: number;
  /** Replaces the SDK's HTTP handler (tests speak the wire format through it). */
  requestHandler?: EKSClientConfig['requestHandler'];
  /** Timeouts of the default handler. */
  timeouts?: AwsTimeouts;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

export interface AwsTimeouts {
  /** To open a connection. */
  connectionTimeout: number;
  /** For the answer to start, and the longest a connection may sit idle. */
  requestTimeout: number;
}

export const DEFAULT_AWS_TIMEOUTS: AwsTimeouts = { connectionTimeout: 5_000, requestTimeout: 20_000 };

/**
 * The HTTP handler options of every AWS client the auditor makes. `throwOnRequestTimeout` turns
 * @smithy/node-http-handler's request timeout from a logged warning into a `TimeoutError` that fails
 * the call (its `setRequestTimeout` only warns without it, leaving a hung call hanging); the socket
 * timeout also ends an answer that stalls halfway. The SDK retries a `TimeoutError` within
 * `maxAttempts`, so one call lasts at most about attempts × requestTimeout.
 */
export const awsRequestHandler = (timeouts: AwsTimeouts = DEFAULT_AWS_TIMEOUTS) =>
  ({
    connectionTimeout: timeouts.connectionTimeout,
    requestTimeout: timeouts.requestTimeout,
    socketTimeout: timeouts.requestTimeout,
    throwOnRequestTimeout: true,
  }) as const;

/** Client settings for any AWS client the auditor makes (S3, SES, Organizations, STS): bounded attempts, calls that time out. */
export const awsClientDefaults = (timeouts: AwsTimeouts = DEFAULT_AWS_TIMEOUTS) => ({ maxAttempts: DEFAULT_MAX_ATTEMPTS, requestHandler: awsRequestHandler(timeouts) });

/**
 * Endpoints are not set here: each client resolves its own from the SDK's standard configuration
 * (region, FIPS and dual-stack settings, `AWS_ENDPOINT_URL_<SERVICE>`, shared config files), so the
 * collector can be pointed at VPC or FIPS endpoints without code changes.
 */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const common = {
    region: options.region,
    credentials: options.credentials,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: options.requestHandler ?? awsRequestHandler(options.timeouts),
  } as const;
  return { eks: new EKSClient(common), ec2: new EC2Client(common), autoScaling: new AutoScalingClient(common), sts: new STSClient(common) };
}
