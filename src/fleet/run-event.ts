/**
 * The run-completed event: after each run, one EventBridge event on the configured bus with the
 * run's summary — cluster and finding counts, the new critical findings with their report links, the
 * fleet page's link — so that teams route it to chat or ticketing with rules of their own
 * (docs/events.md has the event's shape and an example rule).
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { objectLabel } from '../assess/findings.js';
import type { FleetSummary, LedgerChanges } from '../fleet-summary/index.js';
import type { ClusterTarget } from '../target/index.js';

export const EVENT_SOURCE = 'calico-audit';
export const EVENT_DETAIL_TYPE = 'Calico Audit Run Completed';
/** New critical findings listed in the event; the rest are counted (an event holds at most 256 KB). */
export const EVENT_FINDINGS_LIMIT = 50;

export interface RunCompletedDetail {
  schemaVersion: 1;
  runId: string;
  completedAt: string;
  clusters: { total: number; audited: number; notAudited: number; unlistedAccountRegions: number };
  /** Failed rules across the audited clusters, as the fleet page counts them. */
  critical: number;
  high: number;
  /** Per finding (cluster + rule + object), from the ledger; `null` without one. */
  findings: { open: number; new: number; reopened: number; resolved: number } | null;
  newCritical: Array<{ accountId: string; region: string; clusterName: string; ruleId: string; title: string; object: string | null; report: string }>;
  newCriticalTotal: number;
  notAudited: Array<{ accountId: string; region: string; clusterName: string; reason: string }>;
  suppressions: { expiring: number; expired: number; unused: number; error: string | null } | null;
  links: { fleetPage: string };
}

/** The event's detail, from the run's summary and the ledger's changes. Pure. */
export function runCompletedDetail(
  summary: FleetSummary,
  changes: LedgerChanges | null,
  run: { runId: string; at: string; fleetUrl: string; reportUrl: (target: ClusterTarget) => string },
): RunCompletedDetail {
  const critical = changes
    ? [...changes.opened, ...changes.reopened]
        .filter((e) => e.severity === 'critical' && e.suppression === null)
        .map((e) => ({ accountId: e.accountId, region: e.region, clusterName: e.clusterName, ruleId: e.ruleId, title: e.title, object: objectLabel(e.object), report: run.reportUrl(e) }))
    : [];
  return {
    schemaVersion: 1,
    runId: run.runId,
    completedAt: run.at,
    clusters: { total: summary.totals.clusters, audited: summary.totals.audited, notAudited: summary.totals.notAudited, unlistedAccountRegions: summary.totals.unlisted },
    critical: summary.totals.critical,
    high: summary.totals.high,
    findings: summary.ledger ? { open: summary.ledger.open, new: summary.ledger.opened, reopened: summary.ledger.reopened, resolved: summary.ledger.resolved } : null,
    newCritical: critical.slice(0, EVENT_FINDINGS_LIMIT),
    newCriticalTotal: critical.length,
    notAudited: summary.notAudited.slice(0, EVENT_FINDINGS_LIMIT).map((u) => ({ accountId: u.accountId, region: u.region, clusterName: u.clusterName, reason: u.reason })),
    suppressions: summary.suppressions
      ? { expiring: summary.suppressions.expiring.length, expired: summary.suppressions.expired.length, unused: summary.suppressions.unused.length, error: summary.suppressions.error }
      : null,
    links: { fleetPage: run.fleetUrl },
  };
}

/** Puts the event on the bus; throws when EventBridge refuses it. */
export async function publishRunCompleted(client: EventBridgeClient, busName: string, detail: RunCompletedDetail, resources: string[] = []): Promise<string | null> {
  const result = await client.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: busName, Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE, Detail: JSON.stringify(detail), Time: new Date(detail.completedAt), Resources: resources }],
    }),
  );
  const entry = result.Entries?.[0];
  if ((result.FailedEntryCount ?? 0) > 0 || entry?.ErrorCode) throw new Error(`EventBridge refused the event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
  return entry?.EventId ?? null;
}
