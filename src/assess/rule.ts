/**
 * What a rule is: its metadata and its logic in one object, one file per rule (cdk-nag's habit),
 * with every outcome reported (Popeye's). `appliesWhen` and `evaluate` are pure and synchronous.
 */
import type { SnapshotField } from '../snapshot/sources.js';
import type { Facts } from './facts.js';
import type { ClusterModel } from './model.js';
import type { Remediation } from './remediation.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = ['pass', 'fail', 'not_applicable', 'unknown'] as const;
export type Status = (typeof STATUSES)[number];

export const AREAS = {
  DS: 'Datastore and control plane',
  RT: 'Routing and encapsulation',
  AWS: 'AWS layer',
  BGP: 'BGP topology',
  IPAM: 'IP address management',
  POL: 'Network policy',
  ENC: 'Encryption, dataplane and observability',
  EKS: 'EKS exposure',
} as const;
export type Area = keyof typeof AREAS;

/**
 * The report sections a rule's conclusion can be discussed in, besides its area's own: metadata,
 * like the seed reference, so that a renderer never has to know rule ids.
 */
export const REPORT_SECTIONS = ['architecture', 'ipam', 'bgp', 'policy', 'components', 'aws'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

/** A collection error that hid data a rule needed: which API call, its error code and message. */
export interface MissingCause {
  source: string;
  code: string;
  message: string;
}

/** One object or field that decided a verdict. */
export interface Evidence {
  /** `IPPool default-ipv4-ippool`, `ec2:Instance i-0…`, `snapshot errors`. */
  object: string;
  /** `spec.ipipMode`, `SourceDestCheck`. */
  field?: string;
  value?: unknown;
  note?: string;
  /** On `unknown`: the collection errors that hid this data (empty when it was simply not collected). */
  causes?: MissingCause[];
}

/**
 * An object a failure is about — a node, a pool, a policy, a namespace. A rule that fails on several
 * objects names each one: each is a finding of its own for the ledger, Security Hub, SARIF and a
 * suppression's `match`. A failure naming none is about the cluster as a whole.
 */
export interface FindingObject {
  /** `Node`, `IPPool`, `GlobalNetworkPolicy`, `Namespace`, `ec2:RouteTable`. */
  kind: string;
  name: string;
  namespace?: string;
}

export interface RuleContext {
  model: ClusterModel;
  facts: Facts;
  /**
   * Returns `value`, or stops the rule as `unknown` naming the snapshot fields that were not collected.
   * A function property, not a method: rules destructure it (`{ need }`) and it uses no `this`.
   */
  need: <T>(value: T | null | undefined, ...fields: SnapshotField[]) => T;
}

export type Outcome =
  | { status: 'pass'; summary: string; evidence?: Evidence[] }
  | {
      status: 'fail';
      severity: Severity;
      summary: string;
      evidence: Evidence[];
      remediation: Remediation;
      /** The commands that show the fix took (read-only); absent: run the audit again. */
      verify?: Remediation;
      objects?: FindingObject[];
    }
  | { status: 'unknown'; summary: string; evidence?: Evidence[] };

export interface Rule {
  id: string;
  /** The condition it checks, shown for a pass: "A cluster-wide default deny exists". */
  title: string;
  /** The problem, shown for a failure: "No cluster-wide default deny". A failure never shows `title`. */
  problem: string;
  /**
   * What the failure costs, in a few words, for the plan's "Why" ("pods on different subnets cannot
   * reach each other"): the consequence a reader weighs, not the severity restated.
   */
  why: string;
  area: Area;
  /** Severities the rule can fail at, most severe first; the first is its weight when it passes. */
  severities: readonly Severity[];
  /** When it fails at which severity, in words, for the catalogue. */
  severityNote?: string;
  /** The seed passage behind the rule. */
  seed: string;
  /** Report sections that also list this rule's verdict (its area's section always does). */
  alsoIn?: readonly ReportSection[];
  /**
   * Rules whose fixes must come first when they fail too (open IP protocol 4 before a pool switches
   * to IP-in-IP): the plan in Recommendations orders its steps by them.
   */
  after?: readonly string[];
  /** Its failure has a date behind it (end of standard support, an end-of-life release): planned first. */
  deadline?: boolean;
  /** Its summary is a key fact of a section, under this label. */
  keyFact?: { section: ReportSection; label: string };
  /** Returns `true`, or the reason the rule does not apply. May call `need`. */
  appliesWhen(context: RuleContext): true | string;
  evaluate(context: RuleContext): Outcome;
}

export const defineRule = (rule: Rule): Rule => rule;

/** Thrown by `need`; the runner turns it into `unknown`. */
export class MissingDataError extends Error {
  override readonly name = 'MissingDataError';
  constructor(readonly fields: SnapshotField[]) {
    super(`not collected: ${fields.join(', ')}`);
  }
}

/** `a, b and 3 more` for summaries. */
export function listSome(items: string[], limit = 3): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}
