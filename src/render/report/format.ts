/**
 * What every section of the per-cluster report's view shares: number and word formatting, the
 * verdict line, evidence lines, and how a section finds its checks.
 */
import type { Check } from '../../assess/assess.js';
import { percentText } from '../../assess/quantity.js';
import { findingAnchor } from '../anchor.js';
import type { Facts } from '../../assess/facts.js';
import type { Area, Evidence, ReportSection } from '../../assess/rule.js';
import { codeSpan, escapeMarkdown, joinMarkdown, markdown, SafeMarkdown } from '../escape.js';

/**
 * Rows a table shows before it is summarised (shared/spec/report.md: long tables are summarised
 * above 50 rows; report.json keeps every row). Above it, per-node tables give way to per-subnet ones.
 */
export const NODE_TABLE_LIMIT = 50;
export const TABLE_ROWS = NODE_TABLE_LIMIT;
/** Per-node pod counts listed before the rest is left to report.json. */
export const BUSIEST_NODES = 10;

export interface RenderOptions {
  /** Values were masked (see mask.ts): say so, as pasted commands need the real ones. */
  masked?: boolean;
}

export type Fact = { label: string; value: SafeMarkdown };

/** How a section finds the checks it discusses: by area and by the rules' own report metadata, never by id. */
export interface SectionChecks {
  /** The checks of these areas, in catalogue order. */
  inAreas(...areas: Area[]): Check[];
  /** Checks whose verdict this section also lists. */
  alsoIn(section: ReportSection): Check[];
  /** Checks whose summary is a key fact of this section. */
  keyFacts(section: ReportSection): Check[];
}

export const STATUS_MARK = { pass: '✓', fail: '✗', not_applicable: '–', unknown: '?' } as const;
export const STATUS_WORD = { pass: 'pass', fail: 'fail', not_applicable: 'n/a', unknown: 'unknown' } as const;

/** `0.0007` → `0.07%`, `1` → `100%`: two decimals at most, none when whole. */
export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return 'n/a';
  return percentText(ratio);
}

export const formatNumber = (value: number | null | undefined): string => (value === null || value === undefined ? 'n/a' : value.toLocaleString('en'));

export const plural = (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;

export const onOff = (value: boolean | null | undefined, on = 'on', off = 'off', unknown = 'not determined'): string =>
  value === true ? on : value === false ? off : unknown;

/** `a, b and c`. */
export function listWords(items: unknown[]): SafeMarkdown {
  const parts = items.map((i) => (i instanceof SafeMarkdown ? i : markdown`${i}`));
  if (parts.length <= 1) return joinMarkdown(parts);
  return markdown`${joinMarkdown(parts.slice(0, -1))} and ${parts.at(-1)}`;
}

/** The status of one rule for a section's verdict line. */
export function verdict(check: Check): SafeMarkdown {
  const severity = check.status === 'fail' ? ` (${check.severity}${check.suppression ? ', suppressed' : ''})` : '';
  // A finding is told once, under Findings: here its id links there.
  const id = check.status === 'fail' && !check.suppression ? `[${check.id}](#${findingAnchor(check)})` : check.id;
  return new SafeMarkdown(`${STATUS_MARK[check.status]} ${id} ${STATUS_WORD[check.status]}${severity}`);
}

/** A section's rules: the ones that failed or could not be judged, each named (a failure linked to its finding); the rest in a word. */
export function verdictLine(label: string, checks: Check[]): SafeMarkdown | null {
  if (!checks.length) return null;
  const named = checks.filter((c) => c.status === 'fail' || c.status === 'unknown').map((c) => verdict(c).text);
  const rest = checks.some((c) => c.status === 'pass') ? `${STATUS_MARK.pass} the others pass or do not apply` : 'the others do not apply';
  if (!named.length) return new SafeMarkdown(`**${label}:** ${checks.some((c) => c.status === 'pass') ? `${STATUS_MARK.pass} every rule passes or does not apply` : 'none applies'}`);
  return new SafeMarkdown(`**${label}:** ${named.join(' · ')}${named.length < checks.length ? ` · ${rest}` : ''}`);
}

/** Values listed in one evidence line before the rest is counted (report.json keeps them all). */
const EVIDENCE_VALUES = 8;

/**
 * An evidence value in words, never in JSON notation: `Never`, `true`, `a, b and 3 more`,
 * `from sg-1, port 179` (an object's fields as `name value` pairs).
 */
export function valueWords(value: unknown): SafeMarkdown {
  if (value === null || value === undefined) return markdown`not set`;
  if (typeof value === 'string') return value === '' ? markdown`empty` : codeSpan(value);
  if (typeof value === 'number' || typeof value === 'boolean') return codeSpan(String(value));
  if (Array.isArray(value)) {
    if (!value.length) return markdown`none`;
    const shown = value.slice(0, EVIDENCE_VALUES).map(valueWords);
    const rest = value.length - shown.length;
    return listWords(rest > 0 ? [...shown, markdown`${rest} more`] : shown);
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.length) return markdown`empty`;
    return joinMarkdown(entries.map(([key, v]) => markdown`${key} ${valueWords(v)}`), '; ');
  }
  return typeof value === 'bigint' ? codeSpan(value.toString()) : markdown`a value of type ${typeof value}`;
}

/** One piece of evidence as a sentence: `IPPool default: spec.ipipMode is Never (the note).` */
export function evidenceLine(evidence: Evidence): SafeMarkdown {
  const parts: SafeMarkdown[] = [];
  // A null value with a note ("not found", "not collected") is said by the note alone.
  const value = evidence.value === null && evidence.note ? undefined : evidence.value;
  if (evidence.field && value !== undefined) {
    const many = Array.isArray(value) && value.length > 1;
    parts.push(markdown`${codeSpan(evidence.field)} ${many ? 'are' : 'is'} ${valueWords(value)}`);
  } else if (evidence.field) parts.push(codeSpan(evidence.field));
  else if (value !== undefined) parts.push(valueWords(value));
  const said = parts.length ? markdown`${evidence.object}: ${parts[0]!}` : markdown`${evidence.object}`;
  return evidence.note ? markdown`${said}${parts.length ? markdown` — ` : markdown`: `}${evidence.note}` : said;
}

/** A source of nodes as the report names it: `managed node group workers`, `Karpenter NodePool default`. */
const sourceName = (source: Facts['growth']['sources'][number]): string => `${source.kind} ${source.name}`;

/**
 * The "can grow to" line: today's nodes, then each source of nodes with its limit, and why growth
 * is unknown when it is: `6 now; can grow to 113: managed node group system up to 3 (maxSize 3), …`.
 */
export function growthLine(facts: Facts): SafeMarkdown {
  const { growth, topology } = facts;
  const windows = topology.windowsNodeCount ? markdown` (${plural(topology.windowsNodeCount, 'Windows node')})` : markdown``;
  const now = markdown`${formatNumber(growth.nodesNow)} now${windows}`;
  const sources = growth.sources.map((s) =>
    s.kind === 'no known group'
      ? markdown`${s.basis}, unbounded`
      : s.limit !== null
      ? markdown`${sourceName(s)} up to ${formatNumber(Math.max(s.limit, s.nodesNow))} (${s.basis})`
      : markdown`${sourceName(s)}, unbounded (${s.basis})`,
  );
  if (growth.maxNodes !== null) {
    return sources.length ? markdown`${now}; can grow to ${formatNumber(growth.maxNodes)}: ${joinMarkdown(sources, '; ')}` : markdown`${now}; no node group or NodePool can add more`;
  }
  const missing = growth.missing.map((field) => markdown`${field} not collected`);
  const floor = growth.atLeast !== null && growth.nodesNow !== null && growth.atLeast > growth.nodesNow ? markdown`at least ${formatNumber(growth.atLeast)}, ` : markdown``;
  return markdown`${now}; can grow to ${floor}an unknown number: ${joinMarkdown([...sources, ...missing], '; ')}`;
}

/**
 * A rule's summary as a section's key fact: a failure is told once, under Findings, so here it is
 * one line that links there (its problem title); any other verdict's summary is the fact itself.
 */
export function keyFactValue(check: Check): SafeMarkdown {
  if (check.status === 'fail' && !check.suppression) return new SafeMarkdown(`✗ [${escapeMarkdown(check.problem)}](#${findingAnchor(check)})`);
  return markdown`${check.summary}`;
}
