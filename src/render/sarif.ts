/**
 * SARIF 2.1.0 (OASIS, "Static Analysis Results Interchange Format Version 2.1.0", Errata 01): one
 * run, the catalogue's rules the assessment judged as `tool.driver.rules`, and one result per
 * finding — per rule and object, as the ledger counts them — so a CI job that audits snapshots can
 * upload it to code scanning. Rule ids are the catalogue's permanent ids; each result carries the
 * finding's fingerprint (cluster + rule + object) in `partialFingerprints` and `fingerprints`, so
 * it is recognised from run to run; a suppressed finding carries its decision as an external,
 * accepted suppression (§3.35) and stays in the log. Pure.
 */
import type { Log, ReportingDescriptor, Result } from 'sarif';
import packageJson from '../../package.json' with { type: 'json' };
import type { Assessment, Check } from '../assess/assess.js';
import { checkTitle } from '../assess/check-title.js';
import { findingsOf, objectLabel } from '../assess/findings.js';
import { AREAS, type Area, type Severity } from '../assess/rule.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The fingerprint's name and version in `partialFingerprints` / `fingerprints` (§3.27.16–17). */
export const FINGERPRINT_KEY = 'calicoAuditFinding/v1';

/** SARIF levels (§3.27.10): what a code-scanning UI shows as error, warning, note. */
const LEVEL: Record<Severity, Result.level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub's `security-severity` property (0–10), so code scanning ranks the alerts as the catalogue does. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '7.5', medium: '5.0', low: '3.0', info: '0.0' };

export interface SarifOptions {
  /** Where the snapshot was read from, relative to the repository root (the result's location). */
  snapshotUri?: string;
}

function ruleOf(check: Check): ReportingDescriptor {
  const area = AREAS[check.area as Area] ?? check.area;
  // A failed rule is described by its problem, the way code scanning titles the alert.
  const title = checkTitle(check);
  return {
    id: check.id,
    name: title.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, (c) => c.toUpperCase()),
    shortDescription: { text: title },
    fullDescription: { text: `${title} (${area}). From the Calico reference architecture, seed ${check.seed}.` },
    help: { text: `See docs/rules.md, ${check.id}: what the rule checks, when it fails at which severity, and the seed passage behind it.` },
    defaultConfiguration: { level: LEVEL[check.severity] },
    properties: { tags: ['calico', 'eks', 'network', area], 'security-severity': SECURITY_SEVERITY[check.severity], precision: 'high' },
  };
}

/** One assessment as a SARIF log (a JSON string). */
export function renderSarif(assessment: Assessment, options: SarifOptions = {}): string {
  const { target } = assessment;
  const rules = assessment.checks.filter((c) => c.status !== 'not_applicable').map(ruleOf);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const cluster = `${target.accountId}/${target.region}/${target.clusterName}`;
  const results: Result[] = findingsOf(assessment).map((finding) => {
    const object = objectLabel(finding.object);
    const result: Result = {
      ruleId: finding.ruleId,
      ruleIndex: index.get(finding.ruleId)!,
      kind: 'fail',
      level: LEVEL[finding.severity],
      message: { text: `${object ? `${object}: ` : ''}${finding.summary}` },
      locations: [
        {
          ...(options.snapshotUri ? { physicalLocation: { artifactLocation: { uri: options.snapshotUri, index: 0 }, region: { startLine: 1 } } } : {}),
          logicalLocations: [{ fullyQualifiedName: `${cluster}/${finding.objectKey}`, name: object ?? target.clusterName, kind: 'resource' }],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
      fingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
      properties: {
        severity: finding.severity,
        cluster,
        ...(object ? { object } : {}),
        ...(finding.remediation ? { remediation: finding.remediation } : {}),
      },
    };
    if (finding.suppression) {
      const { reason, owner, ticket, expires } = finding.suppression;
      result.suppressions = [
        {
          kind: 'external',
          status: 'accepted',
          justification: `${reason}${owner ? ` (owner ${owner}${ticket ? `, ${ticket}` : ''})` : ''}${expires ? `, until ${expires}` : ''}`,
        },
      ];
    }
    return result;
  });
  const log: Log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'calico-audit',
            fullName: 'Calico EKS auditor (calico-audit)',
            version: packageJson.version,
            semanticVersion: packageJson.version,
            rules,
          },
        },
        automationDetails: { id: `calico-audit/${cluster}/` },
        ...(options.snapshotUri ? { artifacts: [{ location: { uri: options.snapshotUri }, mimeType: 'application/json' }] } : {}),
        results,
        properties: {
          cluster,
          collectedAt: assessment.collectedAt,
          score: assessment.score.value,
          grade: assessment.score.grade,
          coverage: assessment.score.coverage,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
