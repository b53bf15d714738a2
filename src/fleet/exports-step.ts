/**
 * The run's exports, after the fleet page and the e-mail: the findings to Security Hub (opt-in)
 * and the run-completed event to EventBridge. Neither stops the run: a failure is reported in the
 * run's summary (and the function's log), and the next run sends again.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Assessment } from '../assess/assess.js';
import type { ClusterFindings } from '../assess/findings.js';
import type { ClusterTarget } from '../target/index.js';
import { eksClusterArn } from '../render/asff.js';
import type { RunHistory } from './history-step.js';
import { publishRunCompleted, runCompletedDetail } from './run-event.js';
import { exportToSecurityHub, findingsToExport, type SecurityHubDeps, type SecurityHubReport } from './security-hub.js';

export interface ExportDeps {
  /** Import findings into Security Hub (configuration `securityHub: true`). */
  securityHub?: SecurityHubDeps;
  /** Put the run-completed event on this bus. */
  events?: { client: EventBridgeClient; busName: string };
  /** A cluster's report in this run, as readers open it. */
  reportUrl: (target: ClusterTarget) => string;
}

export interface RunExports {
  securityHub: (SecurityHubReport & { error?: undefined }) | { error: string } | null;
  event: { eventId: string | null; error?: undefined } | { error: string } | null;
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export async function exportRun(
  history: RunHistory,
  assessments: ReadonlyArray<Assessment | ClusterFindings>,
  run: { runId: string; fleetUrl: string },
  deps: ExportDeps | undefined,
): Promise<RunExports> {
  const exports: RunExports = { securityHub: null, event: null };
  if (!deps) return exports;
  if (deps.securityHub && history.recorded) {
    try {
      const findings = findingsToExport(history.recorded.ledger, assessments, run.runId, history.at, deps.securityHub.reportUrl ?? deps.reportUrl);
      exports.securityHub = await exportToSecurityHub(findings, deps.securityHub);
    } catch (error) {
      exports.securityHub = { error: describe(error) };
    }
  }
  if (deps.events) {
    try {
      const detail = runCompletedDetail(history.summary, history.recorded?.changes ?? null, { runId: run.runId, at: history.at, fleetUrl: run.fleetUrl, reportUrl: deps.reportUrl });
      const resources = [...new Set(detail.newCritical.map((f) => eksClusterArn(f)))];
      exports.event = { eventId: await publishRunCompleted(deps.events.client, deps.events.busName, detail, resources) };
    } catch (error) {
      exports.event = { error: describe(error) };
    }
  }
  return exports;
}
