/** The Map state's results as cluster outcomes: the function's own, or the Catch state's record of a crash. */
import type { SummarizeEvent } from '../lambda/events.js';
import type { ClusterOutcome } from './audit-cluster.js';

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

export function outcomesFromMap(event: SummarizeEvent): ClusterOutcome[] {
  return event.results.map((result) => {
    const crash = result as { error?: unknown; cause?: unknown };
    if (typeof crash.error === 'string') {
      const message = causeMessage(typeof crash.cause === 'string' ? crash.cause : undefined);
      return { status: 'failed', runId: event.runId, target: result.target, reason: `${crash.error}${message ? `: ${message}` : ''}` };
    }
    if (result.status === 'failed') return { status: 'failed', runId: event.runId, target: result.target, reason: (result as { reason?: string }).reason ?? 'not audited' };
    return result as unknown as ClusterOutcome;
  });
}
