/**
 * A whole run in one process: enumerate → audit every cluster with bounded concurrency →
 * summarize. The same functions the Step Functions state machine calls one by one; this wiring
 * serves local runs, the end-to-end test and the benchmark.
 */
import pMap from 'p-map';
import { auditCluster, type AuditClusterDeps, type ClusterOutcome } from './audit-cluster.js';
import { summarizeRun, type RunSummary, type SummarizeDeps } from './summarize.js';
import type { Enumeration } from './targets.js';
import type { ClusterTarget } from '../target/index.js';

export interface FleetRunDeps {
  enumerate: () => Promise<Enumeration>;
  audit: AuditClusterDeps;
  summarize: SummarizeDeps;
  concurrency: number;
  onClusterDone?: (outcome: ClusterOutcome) => void;
}

export interface FleetRun {
  enumeration: Enumeration;
  outcomes: ClusterOutcome[];
  summary: RunSummary;
}

export async function runFleet(runId: string, deps: FleetRunDeps): Promise<FleetRun> {
  const enumeration = await deps.enumerate();
  const outcomes = await pMap(
    enumeration.targets,
    async (target: ClusterTarget) => {
      const outcome = await auditCluster(runId, target, deps.audit);
      deps.onClusterDone?.(outcome);
      return outcome;
    },
    { concurrency: deps.concurrency },
  );
  const summary = await summarizeRun(runId, outcomes, enumeration.failures, deps.summarize);
  return { enumeration, outcomes, summary };
}
