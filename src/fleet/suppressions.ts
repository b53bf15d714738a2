/**
 * The nightly run's suppressions: the YAML (or earlier JSON) file at the key the configuration
 * names, read through the sink once per run and process. A file that cannot be read or parsed is
 * reported, with its line, and no suppression applies: the findings show rather than hide.
 */
import { parseSuppressions, SuppressionsFileError } from '../assess/suppressions-file.js';
import type { Suppression } from '../assess/suppressions.js';
import type { ReportSink } from '../publish/sink.js';

export interface LoadedSuppressions {
  entries: Suppression[];
  /** Where they came from, for messages. */
  source: string | null;
  /** Why none apply, when the file could not be used. */
  error: string | null;
}

export async function readSuppressions(sink: ReportSink, key: string | undefined): Promise<LoadedSuppressions> {
  if (!key) return { entries: [], source: null, error: null };
  const source = sink.locate(key);
  try {
    const body = await sink.read(key);
    if (body === null) return { entries: [], source, error: `${source} does not exist: no suppression applied` };
    return { entries: parseSuppressions(new TextDecoder().decode(body)), source, error: null };
  } catch (error) {
    const message = error instanceof SuppressionsFileError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { entries: [], source, error: `${source}: ${message}: no suppression applied` };
  }
}

/** Reads the file once per run and process (a Lambda container serves many clusters of a run, and later runs). */
export function suppressionsReader(sink: ReportSink, key: string | undefined): (runId: string) => Promise<LoadedSuppressions> {
  let cached: { runId: string; pending: Promise<LoadedSuppressions> } | null = null;
  return (runId) => {
    if (cached?.runId !== runId) cached = { runId, pending: readSuppressions(sink, key) };
    return cached.pending;
  };
}
