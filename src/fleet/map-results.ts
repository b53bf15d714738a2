/** The Map state's results as cluster outcomes: the function's own, or the Catch state's record of a crash. */
import type { ClusterTarget } from '../target/index.js';
import type { ClusterOutcome } from './audit-cluster.js';

/** One item of the Map's output: what auditCluster returned, or what a Catch state recorded. */
export interface MapResult {
  status: 'audited' | 'failed';
  target: ClusterTarget;
  reason?: string | undefined;
  /** Set by the Catch state: the Lambda error's name and its JSON. */
  error?: string | undefined;
  cause?: string | undefined;
}

/** Step Functions puts the Lambda error's JSON in `cause`; its `errorMessage` is the readable part. */
function causeMessage(cause: string | undefined): string | null {
  if (!cause) return null;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

export function outcomesFromMap(runId: string, results: readonly MapResult[]): ClusterOutcome[] {
  return results.map((result) => {
    if (typeof result.error === 'string') {
      const message = causeMessage(result.cause);
      return { status: 'failed', runId, target: result.target, reason: `${result.error}${message ? `: ${message}` : ''}` };
    }
    if (result.status === 'failed') return { status: 'failed', runId, target: result.target, reason: result.reason ?? 'not audited' };
    return result as unknown as ClusterOutcome;
  });
}
