/**
 * The assessment: snapshot → normalise → facts → every rule → score. Pure: no I/O, no clock,
 * no environment. Never throws on odd data; a rule that throws is `unknown` with the error.
 */
import type { ClusterTarget } from '../target/index.js';
import type { Snapshot } from '../snapshot/schema.js';
import { SNAPSHOT_SOURCES, type SnapshotField } from '../snapshot/sources.js';
import { deriveFacts, type Facts } from './facts.js';
import type { ClusterModel } from './model.js';
import { normalize } from './normalize/index.js';
import { renderRemediation } from './remediation.js';
import { MissingDataError, type Evidence, type FindingObject, type ReportSection, type Rule, type RuleContext, type Severity, type Status } from './rule.js';
import { CATALOGUE_VERSION, RULES } from './rules/index.js';
import { score, type Score } from './score.js';
import type { SuppressionNote } from './suppressions.js';
import type { FindingHistory } from './findings.js';

export const ASSESSMENT_SCHEMA_VERSION = 1 as const;

export interface Check {
  id: string;
  /** The condition the rule checks (shown for a pass). */
  title: string;
  /** The problem the rule names when it fails (shown for a failure); see `checkTitle`. */
  problem: string;
  /** What the failure costs, for the plan's "Why". */
  why: string;
  area: string;
  /** The severity it failed at; otherwise the rule's highest. */
  severity: Severity;
  status: Status;
  summary: string;
  evidence: Evidence[];
  /** A pasteable fix, on `fail` only. */
  remediation: string | null;
  /** Read-only commands that show the fix took, on `fail` when the rule gives them. */
  verify?: string;
  /** Rules whose fixes come first when they fail too (the plan's order). */
  after?: string[];
  /** Its failure has a date behind it: planned first. */
  deadline?: boolean;
  seed: string;
  /** Report sections that also list this verdict, besides its area's. */
  alsoIn?: ReportSection[];
  /** The summary is a key fact of a report section, under this label. */
  keyFact?: { section: ReportSection; label: string };
  /** On `fail`, the objects the failure is about (absent: the cluster as a whole); see `findingsOf`. */
  objects?: FindingObject[];
  /** A recorded decision to accept this finding (src/assess/suppressions.ts): shown, not scored. */
  suppression?: CheckSuppression;
  /** Objects of a partly suppressed failure that a suppression with `match` accepts (the rest still count). */
  suppressedObjects?: Array<{ object: FindingObject; suppression: CheckSuppression }>;
}

/** Who accepted a finding, why and until when. */
export interface CheckSuppression {
  reason: string;
  expires: string | null;
  owner?: string;
  ticket?: string;
}

/** The auditor that assessed a snapshot: its package name and version (package.json), given by the caller. */
export interface Auditor {
  name: string;
  version: string;
}

export interface AssessOptions {
  /** The auditor running the assessment; `null` (the default) when the caller does not say. */
  auditor?: Auditor | null;
  /** The rules to run; the catalogue by default. */
  rules?: readonly Rule[];
}

export interface Assessment {
  schemaVersion: typeof ASSESSMENT_SCHEMA_VERSION;
  target: ClusterTarget;
  collectedAt: string;
  /** The auditor that assessed the snapshot; `null` when its caller did not name it. */
  auditor: Auditor | null;
  /** The rule catalogue the checks come from, and how many rules it holds. */
  catalogue: { version: number; rules: number };
  /** The tool that collected the snapshot (which may be another version, or another tool). */
  collector: { name: string; version: string };
  facts: Facts;
  checks: Check[];
  score: Score;
  /** Collection errors carried over from the snapshot. */
  errors: Snapshot['errors'];
  /**
   * Present when suppressions were given: which rules' findings they covered, the expired ones whose
   * finding is back, and the ones naming this cluster that matched nothing here.
   */
  suppressions?: {
    applied: string[];
    expired: Array<{ ruleId: string; reason: string; expires: string; owner?: string }>;
    unused?: SuppressionNote[];
  };
  /** Present when a findings ledger was kept: how long each finding has been open, what was resolved lately. */
  history?: FindingHistory;
}

// In a module of its own so that renderers can use it without loading every rule.
export { checkTitle } from './check-title.js';

/** Evidence for `unknown`: the fields asked for that were not collected, with the errors that hid them. */
function missingEvidence(model: ClusterModel, fields: SnapshotField[]): Evidence[] {
  const missing = fields.filter((f) => model.notCollected.includes(f));
  return (missing.length ? missing : fields).map((field) => {
    const source = SNAPSHOT_SOURCES[field];
    const errors = model.errors.filter((e) => e.source === source || e.source.startsWith(`${source} `));
    return {
      object: `snapshot ${field}`,
      field: source,
      value: null,
      note: errors.length ? errors.map((e) => `${e.code}: ${e.message}`).join('; ') : 'not collected',
      causes: errors.map((e) => ({ source: e.source, code: e.code, message: e.message })),
    };
  });
}

/** Each object once, in the rule's order. */
function dedupeObjects(objects: FindingObject[]): FindingObject[] {
  const seen = new Set<string>();
  return objects.filter((o) => {
    const key = `${o.kind}/${o.namespace ?? ''}/${o.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const need: RuleContext['need'] = (value, ...fields) => {
  if (value === null || value === undefined) throw new MissingDataError(fields);
  return value;
};

/** What a rule is given: the model, the facts, and `need`. */
export const ruleContext = (model: ClusterModel, facts: Facts): RuleContext => ({ model, facts, need });

/** Runs one rule; exactly one status comes out, whatever the rule or the data does. */
export function runRule(rule: Rule, model: ClusterModel, facts: Facts): Check {
  const context = ruleContext(model, facts);
  const base = {
    id: rule.id,
    title: rule.title,
    problem: rule.problem,
    why: rule.why,
    area: rule.area,
    seed: rule.seed,
    ...(rule.alsoIn ? { alsoIn: [...rule.alsoIn] } : {}),
    ...(rule.keyFact ? { keyFact: { ...rule.keyFact } } : {}),
    ...(rule.after?.length ? { after: [...rule.after] } : {}),
    ...(rule.deadline ? { deadline: true } : {}),
  };
  const highest = rule.severities[0]!;
  try {
    const applies = rule.appliesWhen(context);
    if (applies !== true) {
      return { ...base, severity: highest, status: 'not_applicable', summary: applies, evidence: [], remediation: null };
    }
    const outcome = rule.evaluate(context);
    if (outcome.status === 'fail') {
      // Rendered here, once: a command holding a value that cannot be pasted safely is left out, and the finding says so.
      const { text, left } = renderRemediation(outcome.remediation);
      return {
        ...base,
        severity: outcome.severity,
        status: 'fail',
        summary: outcome.summary,
        evidence: [
          ...outcome.evidence,
          ...left.map((reason) => ({ object: 'remediation', note: `a command was left out of the fix: ${reason}` })),
        ],
        remediation: text,
        ...(outcome.verify?.length ? { verify: renderRemediation(outcome.verify).text } : {}),
        ...(outcome.objects?.length ? { objects: dedupeObjects(outcome.objects) } : {}),
      };
    }
    return { ...base, severity: highest, status: outcome.status, summary: outcome.summary, evidence: outcome.evidence ?? [], remediation: null };
  } catch (error) {
    if (error instanceof MissingDataError) {
      const evidence = missingEvidence(model, error.fields);
      return {
        ...base,
        severity: highest,
        status: 'unknown',
        summary: `Needs data that was not collected: ${evidence.map((e) => e.field).join(', ')}.`,
        evidence,
        remediation: null,
      };
    }
    // A rule that throws never passes: it becomes unknown with the error as evidence.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      ...base,
      severity: highest,
      status: 'unknown',
      summary: 'The rule could not be evaluated on this snapshot.',
      evidence: [{ object: 'rule error', note: message }],
      remediation: null,
    };
  }
}

export function assess(snapshot: Snapshot, options: AssessOptions = {}): Assessment {
  const rules = options.rules ?? RULES;
  const model = normalize(snapshot);
  const facts = deriveFacts(model);
  const checks = rules.map((rule) => runRule(rule, model, facts));
  return {
    schemaVersion: ASSESSMENT_SCHEMA_VERSION,
    target: { ...snapshot.target },
    collectedAt: snapshot.collectedAt,
    auditor: options.auditor ? { name: options.auditor.name, version: options.auditor.version } : null,
    catalogue: { version: CATALOGUE_VERSION, rules: rules.length },
    collector: { name: snapshot.collector.name, version: snapshot.collector.version },
    facts,
    checks,
    score: score(checks),
    errors: snapshot.errors,
  };
}
