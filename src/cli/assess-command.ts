/** `calico-audit assess`: one snapshot file → one assessment, printed or written; never touches the network. */
import { writeFile } from 'node:fs/promises';
import { assess, type Assessment } from '../assess/assess.js';
import { SEVERITIES, type Severity } from '../assess/rule.js';
import { renderHtml } from '../render/html.js';
import { renderJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderText } from '../render/text.js';
import { loadSnapshot } from '../snapshot/load.js';
import { EXIT, UsageError } from './errors.js';

export const FORMATS = ['json', 'md', 'html', 'text'] as const;
export type Format = (typeof FORMATS)[number];

export function render(assessment: Assessment, format: Format): string {
  switch (format) {
    case 'json':
      return renderJson(assessment);
    case 'md':
      return renderMarkdown(assessment);
    case 'html':
      return renderHtml(renderMarkdown(assessment), `Calico audit: ${assessment.target.clusterName}`);
    case 'text':
      return renderText(assessment);
  }
}

/** True when a failed check is at least as severe as `threshold`. */
export function meetsFailOn(assessment: Assessment, threshold: Severity): boolean {
  const limit = SEVERITIES.indexOf(threshold);
  return assessment.checks.some((c) => c.status === 'fail' && SEVERITIES.indexOf(c.severity) <= limit);
}

export interface AssessOptions {
  snapshot: string;
  format: string;
  failOn?: string;
  out?: string;
}

export async function assessCommand(options: AssessOptions, stdout: (text: string) => void): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(options.format)})`);
  }
  if (options.failOn !== undefined && !(SEVERITIES as readonly string[]).includes(options.failOn)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(options.failOn)})`);
  }
  const snapshot = await loadSnapshot(options.snapshot);
  const assessment = assess(snapshot);
  const output = render(assessment, options.format as Format);
  if (options.out) await writeFile(options.out, output);
  else stdout(output);
  return options.failOn && meetsFailOn(assessment, options.failOn as Severity) ? EXIT.failOn : EXIT.ok;
}
