/** `calico-audit assess`: one snapshot file → one assessment, printed or written; never touches the network. */
import { AUDITOR } from '../fleet/auditor.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assess, type Assessment } from '../assess/assess.js';
import { SEVERITIES, type Severity } from '../assess/rule.js';
import { applySuppressions } from '../assess/suppressions.js';
import { loadSuppressions } from './suppressions-file.js';
import { mask } from '../render/mask.js';
import { DEFAULT_SNAPSHOT_LIMITS, loadSnapshot, type SnapshotLimits } from '../snapshot/load.js';
import { EXIT, UsageError } from './errors.js';
import { FORMATS, type Format } from './options.js';

export { FORMATS, type Format };

/**
 * Renders one assessment; with `masked`, account ids, addresses and CIDRs become placeholders first.
 * Each format's renderer is loaded when asked for: text and JSON never load handlebars, marked or
 * the HTML sanitiser (start-up time is most of a small assessment).
 */
export async function render(assessment: Assessment, format: Format, options: { masked?: boolean; snapshotUri?: string } = {}): Promise<string> {
  const subject = options.masked ? mask(assessment) : assessment;
  switch (format) {
    case 'json':
      return (await import('../render/json.js')).renderJson(subject);
    case 'md':
      return (await import('../render/markdown.js')).renderMarkdown(subject, options);
    case 'html':
      return (await import('../render/html.js')).renderHtml(subject, options);
    case 'text':
      return (await import('../render/text.js')).renderText(subject);
    case 'sarif':
      return (await import('../render/sarif.js')).renderSarif(subject, options.snapshotUri ? { snapshotUri: options.snapshotUri } : {});
  }
}

/** True when a failed check is at least as severe as `threshold`. */
export function meetsFailOn(assessment: Assessment, threshold: Severity): boolean {
  const limit = SEVERITIES.indexOf(threshold);
  // A suppressed finding is a recorded decision: it does not fail the build.
  return assessment.checks.some((c) => c.status === 'fail' && !c.suppression && SEVERITIES.indexOf(c.severity) <= limit);
}

export interface AssessOptions {
  /** A suppressions file: accepted findings stay in the report, out of the score. */
  suppressions?: string;
  snapshot: string;
  format: string;
  failOn?: string;
  out?: string;
  /** Replace account ids, IP addresses and CIDRs with stable placeholders (reports sent by e-mail). */
  mask?: boolean;
  /** Size limits in MiB, as given on the command line. */
  maxSnapshotSize?: string;
  maxDecompressedSize?: string;
}

const MiB = 1024 * 1024;

/** A size limit in MiB from the command line (a positive number), or the default. */
function mebibytes(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(parsed > 0)) throw new UsageError(`${option} must be a size in MiB, such as 512 (got ${JSON.stringify(value)})`);
  return Math.floor(parsed * MiB);
}

/** The snapshot size limits the options ask for. */
export const snapshotLimits = (options: Pick<AssessOptions, 'maxSnapshotSize' | 'maxDecompressedSize'>): SnapshotLimits => ({
  maxFileBytes: mebibytes('--max-snapshot-size', options.maxSnapshotSize, DEFAULT_SNAPSHOT_LIMITS.maxFileBytes),
  maxDecompressedBytes: mebibytes('--max-decompressed-size', options.maxDecompressedSize, DEFAULT_SNAPSHOT_LIMITS.maxDecompressedBytes),
});

export async function assessCommand(options: AssessOptions, stdout: (text: string) => void): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(options.format)})`);
  }
  if (options.failOn !== undefined && !(SEVERITIES as readonly string[]).includes(options.failOn)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(options.failOn)})`);
  }
  const snapshot = await loadSnapshot(options.snapshot, snapshotLimits(options));
  const assessment = applySuppressions(assess(snapshot, { auditor: AUDITOR }), await loadSuppressions(options.suppressions));
  // SARIF locates results in the snapshot file, as a path relative to where the audit ran (a repository checkout in CI).
  const snapshotUri = path.relative(process.cwd(), path.resolve(options.snapshot)).split(path.sep).join('/');
  const output = await render(assessment, options.format as Format, { masked: options.mask === true, snapshotUri });
  if (options.out) await writeFile(options.out, output);
  else stdout(output);
  return options.failOn && meetsFailOn(assessment, options.failOn as Severity) ? EXIT.failOn : EXIT.ok;
}
