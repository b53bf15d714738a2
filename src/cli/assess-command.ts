/** `calico-audit assess`: one snapshot file → one assessment, printed or written; never touches the network. */
import { writeFile } from 'node:fs/promises';
import { assess, type Assessment } from '../assess/assess.js';
import { SEVERITIES, type Severity } from '../assess/rule.js';
import { renderHtml } from '../render/html.js';
import { renderJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { mask } from '../render/mask.js';
import { renderText } from '../render/text.js';
import { loadSnapshot } from '../snapshot/load.js';
import { EXIT, UsageError } from './errors.js';

export const FORMATS = ['json', 'md', 'html', 'text'] as const;
export type Format = (typeof FORMATS)[number];

/** Renders one assessment; with `masked`, account ids, addresses and CIDRs become placeholders first. */
export function render(assessment: Assessment, format: Format, options: { masked?: boolean } = {}): string {
  const subject = options.masked ? mask(assessment) : assessment;
  switch (format) {
    case 'json':
      return renderJson(subject);
    case 'md':
      return renderMarkdown(subject, options);
    case 'html':
      return renderHtml(subject, options);
    case 'text':
      return renderText(subject);
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
  /** Replace account ids, IP addresses and CIDRs with stable placeholders (reports sent by e-mail). */
  mask?: boolean;
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
  const output = render(assessment, options.format as Format, { masked: options.mask === true });
  if (options.out) await writeFile(options.out, output);
  else stdout(output);
  return options.failOn && meetsFailOn(assessment, options.failOn as Severity) ? EXIT.failOn : EXIT.ok;
}
