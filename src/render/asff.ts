/**
 * Findings in the AWS Security Finding Format (ASFF, SchemaVersion 2018-10-08) for Security Hub's
 * BatchImportFindings, from the findings ledger. Followed: AWS Security Hub User Guide, "Required
 * top-level ASFF attributes" and "AWS Security Finding Format (ASFF)" (Title ≤ 256 characters,
 * Description ≤ 1024, Remediation.Recommendation.Text ≤ 512, at most 32 Resources, Types as
 * namespace/category/classifier), and the Partner Guide's "Guidelines for mapping findings into the
 * ASFF" and "Guidelines for using the BatchImportFindings API" (an Id that is the same each time the
 * finding is sent, so that sending it again updates it; AwsAccountId the account it is imported
 * into; a custom integration's ProductArn `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`).
 *
 * An open finding is ACTIVE; a suppressed one — an accepted risk — and a resolved one are ARCHIVED
 * (BatchImportFindings cannot change Workflow.Status after creation, RecordState it can). Pure.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { Finding } from '../assess/findings.js';
import { objectLabel } from '../assess/findings.js';
import type { Severity } from '../assess/rule.js';
import type { LedgerEntry } from '../fleet-summary/index.js';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export const ASFF_TYPE = 'Software and Configuration Checks/Industry and Regulatory Standards/Calico reference architecture';

const LABEL: Record<Severity, 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL'> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
};

export const partitionOf = (region: string): 'aws' | 'aws-cn' | 'aws-us-gov' => (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');

/** The account's own product ARN for custom findings in that region. */
export const defaultProductArn = (accountId: string, region: string): string =>
  `arn:${partitionOf(region)}:securityhub:${region}:${accountId}:product/${accountId}/default`;

export const eksClusterArn = (t: { accountId: string; region: string; clusterName: string }): string =>
  `arn:${partitionOf(t.region)}:eks:${t.region}:${t.accountId}:cluster/${t.clusterName}`;

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export interface AsffContext {
  /** The run's time: UpdatedAt of what this run observed. */
  at: string;
  /** The cluster's report, as readers open it. */
  reportUrl?: string;
}

/**
 * One ledger entry as an ASFF finding. `finding` is this run's sighting of an open finding (its
 * summary and remediation); a resolved entry needs none.
 */
export function asffFinding(entry: LedgerEntry, finding: Finding | null, context: AsffContext): AwsSecurityFinding {
  const object = objectLabel(entry.object);
  const resolved = entry.state === 'resolved';
  const archived = resolved || entry.suppression !== null;
  const clusterArn = eksClusterArn(entry);
  const partition = partitionOf(entry.region);
  const description = resolved
    ? `Resolved ${entry.resolvedAt!.slice(0, 10)}: ${entry.resolution === 'cluster-gone' ? 'the cluster left the audited fleet' : 'the audit no longer finds it'}. ${entry.title}.`
    : `${finding?.summary ?? entry.title}${entry.suppression ? ` Accepted by ${entry.suppression.owner ?? 'a recorded decision'} until ${entry.suppression.expires ?? 'no end date'}: ${entry.suppression.reason}` : ''}`;
  const remediation = finding?.remediation ?? null;
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: entry.fingerprint,
    ProductArn: defaultProductArn(entry.accountId, entry.region),
    ProductName: 'Calico EKS auditor',
    CompanyName: 'calico-audit',
    GeneratorId: `calico-audit/${entry.ruleId}`,
    AwsAccountId: entry.accountId,
    Types: [ASFF_TYPE],
    FirstObservedAt: entry.firstSeen,
    LastObservedAt: entry.lastSeen,
    CreatedAt: entry.firstSeen,
    // Archiving is dated by the resolution, so sending it again changes nothing.
    UpdatedAt: resolved ? entry.resolvedAt! : context.at,
    Severity: { Label: LABEL[entry.severity], Original: entry.severity },
    Title: clip(`${entry.clusterName}: ${entry.title}${object ? ` (${object})` : ''}`, 256),
    Description: clip(description, 1024),
    ...(remediation || context.reportUrl
      ? {
          Remediation: {
            Recommendation: {
              Text: clip(remediation ?? 'See the Findings section of the cluster report.', 512),
              ...(context.reportUrl ? { Url: context.reportUrl } : {}),
            },
          },
        }
      : {}),
    ...(context.reportUrl ? { SourceUrl: context.reportUrl } : {}),
    ProductFields: {
      'calico-audit/RuleId': entry.ruleId,
      'calico-audit/Fingerprint': entry.fingerprint,
      'calico-audit/Object': object ?? 'cluster',
      'calico-audit/FirstSeen': entry.firstSeen,
      ...(entry.reopened ? { 'calico-audit/Reopened': String(entry.reopened) } : {}),
      ...(entry.suppression
        ? { 'calico-audit/SuppressedBy': clip(`${entry.suppression.owner ?? 'not named'}: ${entry.suppression.reason}${entry.suppression.ticket ? ` (${entry.suppression.ticket})` : ''}`, 2048) }
        : {}),
    },
    Resources: [
      { Type: 'AwsEksCluster', Id: clusterArn, Partition: partition, Region: entry.region, Details: { AwsEksCluster: { Name: entry.clusterName, Arn: clusterArn } } },
      ...(entry.object ? [{ Type: 'Other', Id: clip(`${clusterArn}/${entry.object.kind}/${entry.object.namespace ? `${entry.object.namespace}/` : ''}${entry.object.name}`, 512), Partition: partition, Region: entry.region }] : []),
    ],
    RecordState: archived ? 'ARCHIVED' : 'ACTIVE',
  };
}
