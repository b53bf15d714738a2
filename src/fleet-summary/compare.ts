/**
 * Two audits side by side (`calico-audit diff`): two assessments of one cluster, or two fleet
 * summaries — findings new, resolved and changed (by fingerprint: cluster + rule + object), score
 * moves, clusters added and gone. Pure.
 */
import type { Assessment } from '../assess/assess.js';
import { findingsOf, fingerprintOf, objectLabel } from '../assess/findings.js';
import { SEVERITIES, type Severity } from '../assess/rule.js';
import type { Grade } from '../assess/score.js';
import { clusterId, targetOf, type ClusterTarget } from '../target/index.js';
import type { FleetRow, FleetSummary } from './schema.js';

export interface ComparedFinding extends ClusterTarget {
  fingerprint: string;
  ruleId: string;
  title: string;
  severity: Severity;
  /** `Node ip-10-0-1-5`, or `null`: the cluster as a whole. */
  object: string | null;
  suppressed: boolean;
}

export interface Comparison {
  kind: 'assessment' | 'fleet';
  from: { at: string | null; runId: string | null };
  to: { at: string | null; runId: string | null };
  newFindings: ComparedFinding[];
  resolvedFindings: ComparedFinding[];
  /** Findings in both whose severity, title or suppression changed; `was` is how they were. */
  changedFindings: Array<ComparedFinding & { was: { severity: Severity; title: string; suppressed: boolean } }>;
  /** Findings in both, unchanged. */
  unchanged: number;
  scoreMoves: Array<ClusterTarget & { from: number | null; to: number | null; gradeFrom: Grade | null; gradeTo: Grade | null }>;
  added: ClusterTarget[];
  gone: ClusterTarget[];
}

const rank = (f: ComparedFinding) => SEVERITIES.indexOf(f.severity);
const order = (a: ComparedFinding, b: ComparedFinding) => rank(a) - rank(b) || a.fingerprint.localeCompare(b.fingerprint);

function compareFindings(from: Map<string, ComparedFinding>, to: Map<string, ComparedFinding>, clusters: (f: ComparedFinding) => boolean) {
  const newFindings: ComparedFinding[] = [];
  const changedFindings: Comparison['changedFindings'] = [];
  let unchanged = 0;
  for (const [key, finding] of to) {
    if (!clusters(finding)) continue;
    const before = from.get(key);
    if (!before) newFindings.push(finding);
    else if (before.severity !== finding.severity || before.title !== finding.title || before.suppressed !== finding.suppressed) {
      changedFindings.push({ ...finding, was: { severity: before.severity, title: before.title, suppressed: before.suppressed } });
    } else unchanged += 1;
  }
  const resolvedFindings = [...from.entries()].filter(([key, f]) => clusters(f) && !to.has(key)).map(([, f]) => f);
  return { newFindings: newFindings.sort(order), resolvedFindings: resolvedFindings.sort(order), changedFindings: changedFindings.sort(order), unchanged };
}

const scoreMove = (target: ClusterTarget, a: { score: number | null; grade: Grade | null }, b: { score: number | null; grade: Grade | null }) =>
  a.score !== b.score || a.grade !== b.grade ? [{ ...targetOf(target), from: a.score, to: b.score, gradeFrom: a.grade, gradeTo: b.grade }] : [];

/** Two assessments of the same cluster. */
export function compareAssessments(from: Assessment, to: Assessment): Comparison {
  const findings = (a: Assessment) =>
    new Map(
      findingsOf(a).map((f) => [
        f.fingerprint,
        { ...f.target, fingerprint: f.fingerprint, ruleId: f.ruleId, title: f.title, severity: f.severity, object: objectLabel(f.object), suppressed: !!f.suppression },
      ]),
    );
  return {
    kind: 'assessment',
    from: { at: from.collectedAt, runId: null },
    to: { at: to.collectedAt, runId: null },
    ...compareFindings(findings(from), findings(to), () => true),
    scoreMoves: scoreMove(to.target, { score: from.score.value, grade: from.score.grade }, { score: to.score.value, grade: to.score.grade }),
    added: [],
    gone: [],
  };
}

/** The findings of a fleet row: one per object a failed rule names, or one for the cluster. */
function rowFindings(row: FleetRow): ComparedFinding[] {
  return row.failed.flatMap((f) =>
    (f.objects?.length ? f.objects : [null]).map((key) => {
      const [kind, ...rest] = key?.split('/') ?? [];
      const object = key ? { kind: kind!, name: rest.join('/') } : null;
      return {
        ...targetOf(row),
        fingerprint: key ? `${clusterId(row)}#${f.id}#${key}` : fingerprintOf(row, f.id, null),
        ruleId: f.id,
        title: f.title,
        severity: f.severity,
        object: object ? `${object.kind} ${object.name}` : null,
        // The fleet summary lists only findings that count: a suppressed one is not there.
        suppressed: false,
      };
    }),
  );
}

/** Two fleet summaries (index.json): clusters audited in only one of them are added or gone, not compared finding by finding. */
export function compareFleets(from: FleetSummary, to: FleetSummary): Comparison {
  const rows = (s: FleetSummary) => new Map(s.clusters.map((r) => [clusterId(r), r]));
  const before = rows(from);
  const now = rows(to);
  const findings = (s: FleetSummary) => new Map(s.clusters.flatMap(rowFindings).map((f) => [f.fingerprint, f]));
  const inBoth = (f: ComparedFinding) => before.has(clusterId(f)) && now.has(clusterId(f));
  const everywhere = (s: FleetSummary) => new Map([...s.clusters, ...s.notAudited.filter((u) => u.scope !== 'account')].map((c) => [clusterId(c), targetOf(c)]));
  const fromAll = everywhere(from);
  const toAll = everywhere(to);
  const scoreMoves = [...now].flatMap(([key, row]) => {
    const old = before.get(key);
    return old ? scoreMove(row, old, row) : [];
  });
  scoreMoves.sort((a, b) => (a.to ?? 0) - (a.from ?? 0) - ((b.to ?? 0) - (b.from ?? 0)) || clusterId(a).localeCompare(clusterId(b)));
  return {
    kind: 'fleet',
    from: { at: from.generatedAt, runId: from.runId ?? null },
    to: { at: to.generatedAt, runId: to.runId ?? null },
    ...compareFindings(findings(from), findings(to), inBoth),
    scoreMoves,
    added: [...toAll].filter(([key]) => !fromAll.has(key)).map(([, t]) => t),
    gone: [...fromAll].filter(([key]) => !toAll.has(key)).map(([, t]) => t),
  };
}
