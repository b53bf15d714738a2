/**
 * The fleet audit's configuration: one validated object, read from a JSON file (CALICO_AUDIT_CONFIG)
 * and/or environment variables (which win), with every problem reported at start-up in one error.
 */
import { readFileSync } from 'node:fs';
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';
import { ConfigError } from './errors.js';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-2');

export const configSchema = z.object({
  /** Member accounts to audit, or `organization` for every ACTIVE account of AWS Organizations. */
  accounts: z.union([z.literal('organization'), z.array(accountId).min(1, 'name at least one account, or "organization"')]),
  regions: z.array(region).min(1, 'name at least one region'),
  /** Read-only role in each member account (infra/member-account-role.yaml); assumed with the external id. */
  memberRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name').default('CalicoAuditReadOnly'),
  /** The external id the member roles require (no default: a secret of the deployment's own). */
  externalId: z.string().min(16, 'must be at least 16 characters (a secret of your own: the member role requires it)').max(1224),
  /** With `accounts: organization`, the organization's id: member roles are assumed only in its accounts (the IAM policy says so too). */
  organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must be an organization id such as o-a1b2c3d4e5').optional(),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
  /** Key prefix inside the bucket, e.g. `calico-audit/` (may be empty). */
  prefix: z
    .string()
    .regex(/^([\w.-]+\/)*$/, 'must be empty or end with "/" (e.g. "calico-audit/")')
    .default(''),
  recipients: z.array(z.email()).default([]),
  sender: z.email().optional(),
  /** Mask account ids, addresses and CIDRs in the email (reports in the bucket stay whole). */
  maskEmail: z.boolean().default(true),
  /** Clusters audited at once. */
  concurrency: z.number().int().min(1).max(100).default(10),
  /**
   * The nightly Distributed Map's ToleratedFailurePercentage: the share of child executions that may
   * fail before the Map (and the run) fails. A cluster that cannot be audited does not count: its
   * child execution catches the failure and ends as the cluster's row; only a child that fails
   * outright (aborted, timed out as a whole, a broken state) does.
   */
  toleratedFailurePercentage: z.number().int().min(0).max(100).default(10),
  /** Where readers open `latest/` (an internal portal or CloudFront); default: the S3 console. */
  reportsUrl: z.url({ protocol: /^https$/ }).optional(),
  /** Lifetime of the presigned report links returned by on-demand audits. */
  linkExpirySeconds: z.number().int().min(60).max(604_800).default(86_400),
  /**
   * The suppressions file (YAML, or the earlier JSON form) in the reports bucket, under the prefix
   * and in `config/` (the only place the functions may read it from), e.g. `config/suppressions.yaml`.
   */
  suppressionsKey: z
    .string()
    .regex(/^config\/(?!.*\.\.)[\w./-]+\.(ya?ml|json)$/, 'must be a key under config/ ending in .yaml, .yml or .json (e.g. config/suppressions.yaml)')
    .optional(),
  /** Import open findings into Security Hub in each cluster's own account (through the member role) and archive resolved ones. */
  securityHub: z.boolean().default(false),
  /** The EventBridge bus that receives the run-completed event; `null` sends none. */
  eventBus: z.string().regex(/^[\w./:-]{1,1600}$/, 'must be an EventBridge bus name or ARN').nullable().default('default'),
  /**
   * Longest one cluster's collection may take; what was read by then is assessed, the rest `unknown`.
   * The auditCluster Lambda (timeout 600 s) also keeps room to assess and publish before its own end.
   */
  collectionDeadlineSeconds: z.number().int().min(5).max(840).default(420),
})
  .refine((c) => c.recipients.length === 0 || c.sender !== undefined, { message: 'sender is required when recipients are set', path: ['sender'] })
  .refine((c) => c.accounts !== 'organization' || c.organizationId !== undefined, {
    message: 'is required with accounts "organization": member roles may be assumed only in its accounts',
    path: ['organizationId'],
  });

export type AuditConfig = z.infer<typeof configSchema>;

export { ConfigError };

const list = (value: string) => value.split(/[\s,]+/).filter(Boolean);

/** Environment variables and the config fields they set. */
const ENVIRONMENT: Record<string, (value: string) => [keyof AuditConfig, unknown]> = {
  CALICO_AUDIT_ACCOUNTS: (v) => ['accounts', v.trim() === 'organization' ? 'organization' : list(v)],
  CALICO_AUDIT_REGIONS: (v) => ['regions', list(v)],
  CALICO_AUDIT_MEMBER_ROLE: (v) => ['memberRoleName', v],
  CALICO_AUDIT_EXTERNAL_ID: (v) => ['externalId', v],
  CALICO_AUDIT_ORGANIZATION_ID: (v) => ['organizationId', v],
  CALICO_AUDIT_BUCKET: (v) => ['bucket', v],
  CALICO_AUDIT_PREFIX: (v) => ['prefix', v],
  CALICO_AUDIT_RECIPIENTS: (v) => ['recipients', list(v)],
  CALICO_AUDIT_SENDER: (v) => ['sender', v],
  CALICO_AUDIT_MASK_EMAIL: (v) => ['maskEmail', v === 'true' ? true : v === 'false' ? false : v],
  CALICO_AUDIT_CONCURRENCY: (v) => ['concurrency', /^\d+$/.test(v) ? Number(v) : v],
  CALICO_AUDIT_TOLERATED_FAILURE_PERCENTAGE: (v) => ['toleratedFailurePercentage', /^\d+$/.test(v) ? Number(v) : v],
  CALICO_AUDIT_REPORTS_URL: (v) => ['reportsUrl', v.replace(/\/+$/, '')],
  CALICO_AUDIT_LINK_EXPIRY_SECONDS: (v) => ['linkExpirySeconds', /^\d+$/.test(v) ? Number(v) : v],
  CALICO_AUDIT_SUPPRESSIONS_KEY: (v) => ['suppressionsKey', v],
  CALICO_AUDIT_SECURITY_HUB: (v) => ['securityHub', v === 'true' ? true : v === 'false' ? false : v],
  CALICO_AUDIT_EVENT_BUS: (v) => ['eventBus', v === 'none' ? null : v],
  CALICO_AUDIT_COLLECTION_DEADLINE_SECONDS: (v) => ['collectionDeadlineSeconds', /^\d+$/.test(v) ? Number(v) : v],
};

/** The variable that sets each field, for error messages. */
const VARIABLE_FOR = Object.fromEntries(
  Object.entries(ENVIRONMENT).map(([name, apply]) => [apply('x')[0], name]),
) as Partial<Record<keyof AuditConfig, string>>;

/** Validates a configuration object; throws ConfigError listing every problem, one per line. */
export function parseConfig(input: unknown, origin = 'configuration'): AuditConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const variable = VARIABLE_FOR[field as keyof AuditConfig];
    const missing = issue.code !== 'custom' && (input as Record<string, unknown> | null)?.[field] === undefined && issue.path.length === 1;
    return `  ${issue.path.join('.') || '(root)'}${variable ? ` (${variable})` : ''}: ${missing ? 'is required' : issue.message}`;
  });
  throw new ConfigError(`invalid ${origin}:\n${problems.join('\n')}`);
}

/** Reads CALICO_AUDIT_CONFIG (a JSON file) if set, then applies CALICO_AUDIT_* variables over it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  let base: Record<string, unknown> = {};
  const file = env['CALICO_AUDIT_CONFIG'];
  if (file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('it does not hold a JSON object');
      base = parsed as Record<string, unknown>;
    } catch (cause) {
      throw new ConfigError(`cannot read CALICO_AUDIT_CONFIG ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  for (const [name, apply] of Object.entries(ENVIRONMENT)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const [field, parsed] = apply(value);
    base[field] = parsed;
  }
  return parseConfig(base, file ? `configuration (${file} and CALICO_AUDIT_* variables)` : 'configuration (CALICO_AUDIT_* variables)');
}

/** The address a reader opens for an object of the reports bucket (a key under the prefix, e.g. `runs/<run>/clusters/…/report.html`). */
export function objectUrl(config: Pick<AuditConfig, 'reportsUrl' | 'bucket' | 'prefix'>, region: string, key: string): string {
  if (config.reportsUrl) return `${config.reportsUrl}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return `https://console.aws.amazon.com/s3/object/${config.bucket}?region=${region}&prefix=${encodeURIComponent(`${config.prefix}${key}`)}`;
}

/** The address a reader opens for the latest fleet page. */
export function latestFleetUrl(config: Pick<AuditConfig, 'reportsUrl' | 'bucket' | 'prefix'>, region: string): string {
  if (config.reportsUrl) return `${config.reportsUrl}/latest/fleet/index.html`;
  const key = encodeURIComponent(`${config.prefix}latest/fleet/index.html`);
  return `https://console.aws.amazon.com/s3/object/${config.bucket}?region=${region}&prefix=${key}`;
}
