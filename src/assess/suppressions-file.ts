/**
 * Reading a suppressions file — YAML (JSON is YAML too) — into suppressions, with any problem
 * reported against the line it is on. Pure: the text comes in, the caller read it from disk or S3.
 *
 *   suppressions:
 *     - rule: CAL-POL-03
 *       clusters: ["111122223333/eu-west-2/payments-*"]
 *       match: batch              # optional: the object (node, pool, policy, namespace name)
 *       reason: Batch jobs are isolated by their own VPC; policies follow in Q3
 *       owner: platform-team@example.com
 *       ticket: SEC-1234          # optional
 *       expires: 2027-06-30       # the last day it applies (UTC)
 *
 * The earlier JSON form `{ "suppressions": [{ "ruleId", "clusters"?, "reason", "expires"? }] }` is
 * read as before (an entry with `ruleId` is read by its schema); a bare list of entries also serves.
 */
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type * as z from 'zod';
import { RULE_IDS as CATALOGUE } from './rule-ids.js';
import { suppressionEntrySchema, suppressionSchema, type Suppression } from './suppressions.js';

const RULE_IDS = new Set(CATALOGUE);

export class SuppressionsFileError extends Error {
  override readonly name = 'SuppressionsFileError';
  constructor(
    message: string,
    /** 1-based line of the problem, when it has one. */
    readonly line: number | null,
  ) {
    super(message);
  }
}

type Path = Array<string | number>;

/** The line of the deepest node along `path` that exists (a missing key: the entry that lacks it). */
function lineOf(doc: Document, counter: LineCounter, path: Path): number | null {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
  }
  return null;
}

function describe(issue: z.core.$ZodIssue): { path: Path; message: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return { path: [...path, issue.keys[0]!], message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (expected rule, clusters, match, reason, owner, ticket, expires)` };
  }
  return { path, message: issue.message };
}

/** Parses the text of a suppressions file; throws SuppressionsFileError naming the line at fault. */
export function parseSuppressions(text: string): Suppression[] {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0].line ?? counter.linePos(syntax.pos[0]).line;
    throw new SuppressionsFileError(`${line ? `line ${line}: ` : ''}${syntax.message.split('\n')[0]}`, line);
  }
  const root: unknown = doc.toJS();
  const fail = (path: Path, message: string): never => {
    const line = lineOf(doc, counter, path);
    const where = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
    throw new SuppressionsFileError(`${line ? `line ${line}: ` : ''}${where || '(file)'}: ${message}`, line);
  };
  if (root === null || root === undefined) return [];
  let entries: unknown[];
  let base: Path;
  if (Array.isArray(root)) {
    entries = root;
    base = [];
  } else if (isMap(doc.contents) && typeof root === 'object' && 'suppressions' in root) {
    const list = root.suppressions;
    if (list === null) return [];
    if (!Array.isArray(list)) return fail(['suppressions'], 'must be a list of suppressions');
    entries = list;
    base = ['suppressions'];
  } else {
    return fail([], 'expected "suppressions:" followed by a list of entries');
  }
  return entries.map((entry, index) => {
    const path = [...base, index];
    const legacy = typeof entry === 'object' && entry !== null && 'ruleId' in entry;
    const result = legacy ? suppressionSchema.safeParse(entry) : suppressionEntrySchema.safeParse(entry);
    if (!result.success) {
      const { path: at, message } = describe(result.error.issues[0]!);
      return fail([...path, ...at], message);
    }
    const line = lineOf(doc, counter, path) ?? undefined;
    if ('ruleId' in result.data) {
      const { ruleId, clusters, reason, expires } = result.data;
      return { ruleId, clusters, reason, ...(expires ? { expires } : {}), ...(line ? { line } : {}) };
    }
    const { rule, clusters, match, reason, owner, ticket, expires } = result.data;
    // The earlier form is read as it always was; a new entry must name a rule of the catalogue.
    if (!RULE_IDS.has(rule)) return fail([...path, 'rule'], `no rule ${rule} in the catalogue (calico-audit rules lists them)`);
    return {
      ruleId: rule,
      clusters,
      ...(match !== undefined ? { match } : {}),
      reason,
      owner,
      ...(ticket !== undefined ? { ticket } : {}),
      expires,
      ...(line ? { line } : {}),
    };
  });
}
