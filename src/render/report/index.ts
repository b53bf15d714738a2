/**
 * The per-cluster report's view: the assessment arranged section by section for the templates —
 * sentences generated from facts, table rows, and each section's verdicts. Pure. Every number it
 * shows is a number in the assessment (a test holds it to that); sentences are `SafeMarkdown`
 * built with the `markdown` tag, so cluster values inside them are escaped, and table cells stay
 * raw for the templates' `md` helper. One file per section; none looks up a rule by id.
 */
import type { Assessment, Check } from '../../assess/assess.js';
import { checkTitle } from '../../assess/check-title.js';
import { SEVERITIES } from '../../assess/rule.js';
import { diagnosticCommands } from '../commands.js';
import { architectureDiagram } from '../diagram.js';
import { fencedBlock } from '../escape.js';
import { bySeverity } from '../text.js';
import { architectureView } from './architecture.js';
import { awsView } from './aws.js';
import { bgpView } from './bgp.js';
import { componentView } from './components.js';
import { collectionErrorsView, findingView, recommendationView, unknownReason } from './findings.js';
import { objectLabel } from '../../assess/findings.js';
import type { CheckSuppression } from '../../assess/assess.js';
import { percent, type RenderOptions, type SectionChecks } from './format.js';
import { ipamView } from './ipam.js';
import { policyView } from './policy.js';
import { summaryView } from './summary.js';
import { workloadView } from './workloads.js';

export { formatNumber, NODE_TABLE_LIMIT, percent, type RenderOptions } from './format.js';

const decisionView = (s: CheckSuppression) => ({
  reason: s.reason,
  owner: s.owner ?? 'not named',
  ticket: s.ticket ?? '',
  expires: s.expires ?? 'no expiry',
});

/** The auditor as the header names it: `calico-audit 0.4.0`, or a plain statement when its caller did not say. */
export const auditorName = (assessment: Assessment): string =>
  assessment.auditor ? `${assessment.auditor.name} ${assessment.auditor.version}` : 'not named by the caller';

/** The whole report, section by section. */
export function buildReportView(assessment: Assessment, options: RenderOptions = {}) {
  const { facts, score, target } = assessment;
  // A suppressed finding is a recorded decision: listed apart with its reason, and not scored.
  const findings = assessment.checks.filter((c) => c.status === 'fail' && !c.suppression).sort(bySeverity);
  const suppressed = assessment.checks.filter((c) => c.status === 'fail' && c.suppression).sort(bySeverity);
  const checks: SectionChecks = {
    inAreas: (...areas) => assessment.checks.filter((c) => (areas as string[]).includes(c.area)),
    alsoIn: (section) => assessment.checks.filter((c) => c.alsoIn?.includes(section)),
    keyFacts: (section) => assessment.checks.filter((c) => c.keyFact?.section === section),
  };
  const severityIndex = (c: Check) => SEVERITIES.indexOf(c.severity);
  const recommendations = recommendationView(assessment, findings);
  return {
    header: {
      cluster: target.clusterName,
      account: target.accountId,
      region: target.region,
      date: assessment.collectedAt.slice(0, 10),
      collectedAt: assessment.collectedAt,
      calico: facts.calico.version ? `${facts.calico.version} (${facts.calico.variant})` : `${facts.calico.variant}, version not determined`,
      kubernetes: facts.cluster.kubernetesVersion ?? 'not determined',
      auditor: auditorName(assessment),
      catalogue: `version ${assessment.catalogue.version} (${assessment.catalogue.rules} rules)`,
      collector: `${assessment.collector.name} ${assessment.collector.version}`,
      score: score.value,
      grade: score.grade,
      coverage: percent(score.coverage),
      masked: options.masked === true,
    },
    summary: summaryView(assessment, findings),
    architecture: architectureView(assessment, checks),
    ipam: ipamView(assessment, checks),
    bgp: bgpView(assessment, checks),
    policy: policyView(assessment, checks),
    workloads: workloadView(assessment),
    components: componentView(assessment, checks),
    aws: awsView(assessment, checks),
    findings: findings.map((c) => findingView(c, assessment, recommendations.stepOf.get(c.id))),
    // Whole findings accepted, then the accepted objects of findings that still count.
    suppressed: [
      ...suppressed.map((c) => ({ id: c.id, title: checkTitle(c), severity: c.severity, object: 'all', ...decisionView(c.suppression!) })),
      ...findings.flatMap((c) =>
        (c.suppressedObjects ?? []).map((s) => ({ id: c.id, title: checkTitle(c), severity: c.severity, object: objectLabel(s.object) ?? 'all', ...decisionView(s.suppression) })),
      ),
    ],
    expiredSuppressions: (assessment.suppressions?.expired ?? []).map((s) => ({ id: s.ruleId, reason: s.reason, owner: s.owner ?? 'not named', expires: s.expires })),
    unusedSuppressions: (assessment.suppressions?.unused ?? []).map((s) => ({
      id: s.ruleId,
      match: s.match ?? 'any object',
      owner: s.owner ?? 'not named',
      line: s.line ?? 'n/a',
    })),
    history: assessment.history
      ? {
          since: assessment.history.since,
          resolved: assessment.history.resolved.map((r) => ({
            id: r.ruleId,
            title: r.title,
            severity: r.severity,
            object: objectLabel(r.object) ?? 'the cluster',
            firstSeen: r.firstSeen.slice(0, 10),
            resolvedAt: r.resolvedAt.slice(0, 10),
          })),
        }
      : null,
    passed: assessment.checks
      .filter((c) => c.status === 'pass')
      .sort((a, b) => severityIndex(a) - severityIndex(b) || a.id.localeCompare(b.id))
      .map((c) => ({ id: c.id, title: c.title, summary: c.summary })),
    notApplicable: assessment.checks.filter((c) => c.status === 'not_applicable').map((c) => ({ id: c.id, title: c.title, summary: c.summary })),
    unknown: assessment.checks
      .filter((c) => c.status === 'unknown')
      .map((c) => ({ id: c.id, title: c.title, reason: unknownReason(c) })),
    errors: collectionErrorsView(assessment.errors),
    recommendations,
    diagram: fencedBlock(architectureDiagram(facts)),
    commands: fencedBlock(diagnosticCommands(assessment), 'sh'),
  };
}

export type ReportView = ReturnType<typeof buildReportView>;
