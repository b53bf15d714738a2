/** `calico-audit reach`: can these pods reach those pods (or an address) on this port, through every tier? Exit 0 allowed, 1 denied, 3 unknown, 4 partly. */
import { normalize } from '../assess/normalize/index.js';
import { answerReach, parseEndQuery, parsePortQuery, reachText, ReachQueryError } from '../assess/reach/query.js';
import type { Reach } from '../assess/reach/analysis.js';
import { loadSnapshot } from '../snapshot/load.js';
import { UsageError } from './errors.js';

/** The verdict as an exit code a script can test. */
export const REACH_EXIT: Record<Reach, number> = { allowed: 0, denied: 1, unknown: 3, partly: 4 };

export interface ReachOptions {
  snapshot: string;
  from: string;
  to: string;
  port?: string;
  format: string;
}

export async function reachCommand(options: ReachOptions, stdout: (text: string) => void): Promise<number> {
  if (options.format !== 'text' && options.format !== 'json') throw new UsageError(`--format must be text or json (got ${JSON.stringify(options.format)})`);
  let query;
  try {
    query = { from: parseEndQuery(options.from, '--from'), to: parseEndQuery(options.to, '--to'), port: options.port ? parsePortQuery(options.port) : null };
  } catch (error) {
    if (error instanceof ReachQueryError) throw new UsageError(error.message);
    throw error;
  }
  const model = normalize(await loadSnapshot(options.snapshot));
  let answer;
  try {
    answer = answerReach(model, query);
  } catch (error) {
    if (error instanceof ReachQueryError) throw new UsageError(error.message);
    throw error;
  }
  stdout(options.format === 'json' ? `${JSON.stringify(answer, (key, value: unknown) => (key === 'endpoints' || key === 'steps' ? undefined : value), 2)}\n` : reachText(answer));
  return REACH_EXIT[answer.reach];
}
