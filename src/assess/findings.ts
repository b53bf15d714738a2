/**
 * Findings: one per failed rule and object. A rule that fails on several objects (nodes, pools,
 * policies, namespaces: the check's `objects`) makes one finding per object; a failure naming none
 * is one finding about the cluster. Each has a fingerprint — cluster id, rule id and object — that
 * stays the same from run to run while the problem does, so that the ledger, Security Hub and SARIF
 * recognise it again. Pure.
 */
import { clusterId, type ClusterTarget } from '../target/index.js';
import type { Assessment, Check, CheckSuppression } from './assess.js';
import type { FindingObject, Severity } from './rule.js';

export interface Finding {
  /** `<account>/<region>/<cluster>#<rule>#<object>`: stable while the problem lasts. */
  fingerprint: string;
  target: ClusterTarget;
  ruleId: string;
  /** The rule's problem title: a finding is a failure, never shown under the condition it failed. */
  title: string;
  severity: Severity;
  area: string;
  /** What the finding is about; `null`: the cluster as a whole. */
  object: FindingObject | null;
  /** The object as the fingerprint spells it: `Node/ip-10-0-1-5`, `Namespace/batch`, `cluster`. */
  objectKey: string;
  summary: string;
  remediation: string | null;
  /** Present when a recorded decision accepts it: it stays visible, out of the score. */
  suppression?: CheckSuppression;
}

/** `Kind/name`, `Kind/namespace/name`, or `cluster` for a finding about the whole cluster. */
export const objectKey = (object: FindingObject | null): string =>
  object ? [object.kind, ...(object.namespace ? [object.namespace] : []), object.name].join('/') : 'cluster';

export const fingerprintOf = (target: ClusterTarget, ruleId: string, object: FindingObject | null): string =>
  `${clusterId(target)}#${ruleId}#${objectKey(object)}`;

/** The object as a reader names it: `Node ip-10-0-1-5`, `Namespace batch`; `null` for the cluster. */
export const objectLabel = (object: FindingObject | null): string | null =>
  object ? `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}` : null;

/** The findings of one failed check. */
export function findingsOfCheck(target: ClusterTarget, check: Check): Finding[] {
  if (check.status !== 'fail') return [];
  const objects: Array<FindingObject | null> = check.objects?.length ? check.objects : [null];
  const byObject = new Map((check.suppressedObjects ?? []).map((s) => [objectKey(s.object), s.suppression]));
  return objects.map((object) => {
    const key = objectKey(object);
    const suppression = check.suppression ?? byObject.get(key);
    return {
      fingerprint: fingerprintOf(target, check.id, object),
      target: { accountId: target.accountId, region: target.region, clusterName: target.clusterName },
      ruleId: check.id,
      title: check.problem,
      severity: check.severity,
      area: check.area,
      object,
      objectKey: key,
      summary: check.summary,
      remediation: check.remediation,
      ...(suppression ? { suppression } : {}),
    };
  });
}

/** Every finding of an assessment, in the order of its checks. */
export const findingsOf = (assessment: Assessment): Finding[] => assessment.checks.flatMap((check) => findingsOfCheck(assessment.target, check));

/**
 * One audited cluster as the ledger, the exports and the suppressions report need it — its
 * findings and score — so that a run of thousands of clusters can let each assessment go once read.
 */
export interface ClusterFindings {
  target: ClusterTarget;
  score: number | null;
  /** Failed rules by severity, suppressed ones left out (as the score counts them). */
  critical: number;
  high: number;
  findings: Finding[];
}

export const clusterFindingsOf = (assessment: Assessment): ClusterFindings => ({
  target: { accountId: assessment.target.accountId, region: assessment.target.region, clusterName: assessment.target.clusterName },
  score: assessment.score.value,
  critical: assessment.score.failedBySeverity.critical,
  high: assessment.score.failedBySeverity.high,
  findings: findingsOf(assessment),
});

/** An assessment or what was kept of it. */
export const asClusterFindings = (audit: Assessment | ClusterFindings): ClusterFindings => ('checks' in audit ? clusterFindingsOf(audit) : audit);

/**
 * What the findings ledger knew of this cluster's findings when it was audited: for each open
 * finding, when it was first seen and how long it has been open; the findings resolved in the last
 * 30 days. Built by src/fleet-summary/ledger.ts; the report shows it.
 */
export interface FindingHistory {
  /** The time the history is counted to (the run's). */
  asOf: string;
  /** The run whose ledger it continues; `null`: the first run with a ledger. */
  since: string | null;
  open: Array<{ fingerprint: string; firstSeen: string; openedAt: string; openDays: number; reopened: number }>;
  resolved: Array<{
    fingerprint: string;
    ruleId: string;
    title: string;
    severity: Severity;
    object: FindingObject | null;
    firstSeen: string;
    resolvedAt: string;
  }>;
}
