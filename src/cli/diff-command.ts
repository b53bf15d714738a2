/**
 * `calico-audit diff --from A --to B`: two assessments of one cluster (report.json, or the JSON of
 * `assess --format json`) or two fleet summaries (fleet/index.json) — new, resolved and changed
 * findings and score moves, as text, Markdown or JSON. Never touches the network.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { Assessment } from '../assess/assess.js';
import { assessmentSchema } from '../assess/assessment-schema.js';
import { compareAssessments, compareFleets, fleetSummarySchema, type FleetSummary } from '../fleet-summary/index.js';
import { renderDiffJson, renderDiffMarkdown, renderDiffText } from '../render/diff.js';
import { clusterId } from '../target/index.js';
import { UsageError } from './errors.js';
import { DIFF_FORMATS } from './options.js';

export interface DiffOptions {
  from: string;
  to: string;
  format: string;
  out?: string;
}

type Audit = { kind: 'assessment'; value: Assessment } | { kind: 'fleet'; value: FleetSummary };

async function readAudit(option: string, file: string): Promise<Audit> {
  let json: unknown;
  try {
    const body = await readFile(file);
    json = JSON.parse((file.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${option} ${file}: ${code === 'ENOENT' ? 'no such file' : error instanceof SyntaxError ? 'is not JSON' : (error as Error).message}`);
  }
  const record = (json ?? {}) as Record<string, unknown>;
  if ('checks' in record) {
    const parsed = assessmentSchema.safeParse(json);
    if (!parsed.success) throw new UsageError(`${option} ${file}: not an assessment of this version: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    return { kind: 'assessment', value: parsed.data };
  }
  if ('clusters' in record && 'totals' in record) {
    const parsed = fleetSummarySchema.safeParse(json);
    if (!parsed.success) throw new UsageError(`${option} ${file}: not a fleet summary (index.json) of this version: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    return { kind: 'fleet', value: parsed.data };
  }
  throw new UsageError(`${option} ${file}: neither an assessment (report.json) nor a fleet summary (fleet/index.json)`);
}

export async function diffCommand(options: DiffOptions, stdout: (text: string) => void): Promise<number> {
  if (!(DIFF_FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError(`--format must be one of ${DIFF_FORMATS.join(', ')} (got ${JSON.stringify(options.format)})`);
  }
  const [from, to] = await Promise.all([readAudit('--from', options.from), readAudit('--to', options.to)]);
  let comparison;
  if (from.kind === 'assessment' && to.kind === 'assessment') {
    if (clusterId(from.value.target) !== clusterId(to.value.target)) {
      throw new UsageError(`--from is ${clusterId(from.value.target)} and --to is ${clusterId(to.value.target)}: compare two audits of the same cluster, or two fleet summaries`);
    }
    comparison = compareAssessments(from.value, to.value);
  } else if (from.kind === 'fleet' && to.kind === 'fleet') {
    comparison = compareFleets(from.value, to.value);
  } else {
    throw new UsageError(`--from is ${from.kind === 'fleet' ? 'a fleet summary' : 'an assessment'} and --to ${to.kind === 'fleet' ? 'a fleet summary' : 'an assessment'}: compare two of the same kind`);
  }
  const output = options.format === 'json' ? renderDiffJson(comparison) : options.format === 'md' ? renderDiffMarkdown(comparison) : renderDiffText(comparison);
  if (options.out) await writeFile(options.out, output);
  else stdout(output);
  return 0;
}
