/**
 * The fleet summary with its history: from the findings ledger, since when each cluster fails each
 * rule, what was resolved in the last 30 days, the findings that clusters not audited keep open, and
 * the score and severity trends over the last runs; from the suppressions file, the entries that
 * matched nothing, expired or end soon. Pure: the summary's JSON carries every number the fleet page
 * and the e-mail show.
 */
import type { Assessment } from '../assess/assess.js';
import { objectLabel, type ClusterFindings } from '../assess/findings.js';
import { expiredSuppressions, expiringSuppressions, unusedSuppressions, type Suppression } from '../assess/suppressions.js';
import { clusterId } from '../target/index.js';
import { daysBetween, RESOLVED_LISTED_DAYS, type Ledger, type LedgerChanges } from './ledger.js';
import type { FleetSummary } from './schema.js';

const DAY = 86_400_000;

/** Adds the ledger's view to a run's summary (`asOf`: the run's time). */
export function withLedger(summary: FleetSummary, ledger: Ledger, changes: LedgerChanges | null, asOf: string): FleetSummary {
  const open = ledger.findings.filter((f) => f.state === 'open');
  const rows = new Map(summary.clusters.map((row) => [clusterId(row), row]));

  // Per rule, per audited cluster: the oldest open finding and how many objects it names; accepted (suppressed) ones do not count.
  type Where = NonNullable<FleetSummary['failuresByRule'][number]['where']>[number];
  const where = new Map<string, Map<string, Where>>();
  for (const entry of open) {
    const row = rows.get(clusterId(entry));
    if (!row || entry.suppression !== null) continue;
    const byCluster = where.get(entry.ruleId) ?? new Map<string, Where>();
    const current = byCluster.get(clusterId(entry));
    if (!current) {
      byCluster.set(clusterId(entry), {
        accountId: entry.accountId,
        region: entry.region,
        clusterName: entry.clusterName,
        report: row.report,
        objects: entry.object ? 1 : 0,
        openedAt: entry.openedAt,
        firstSeen: entry.firstSeen,
        openDays: daysBetween(entry.openedAt, asOf),
      });
    } else {
      current.objects += entry.object ? 1 : 0;
      if (entry.openedAt < current.openedAt) Object.assign(current, { openedAt: entry.openedAt, openDays: daysBetween(entry.openedAt, asOf) });
      if (entry.firstSeen < current.firstSeen) current.firstSeen = entry.firstSeen;
    }
    where.set(entry.ruleId, byCluster);
  }
  const failuresByRule = summary.failuresByRule.map((rule) => ({
    ...rule,
    where: [...(where.get(rule.id)?.values() ?? [])].sort((a, b) => b.openDays - a.openDays || clusterId(a).localeCompare(clusterId(b))),
  }));

  const openByCluster = new Map<string, number>();
  for (const entry of open) openByCluster.set(clusterId(entry), (openByCluster.get(clusterId(entry)) ?? 0) + 1);
  const notAudited = summary.notAudited.map((u) => {
    if (u.scope === 'account') {
      const kept = open.filter((f) => f.accountId === u.accountId && (u.region === '*' || f.region === u.region) && !rows.has(clusterId(f))).length;
      return { ...u, openFindings: kept };
    }
    const known = ledger.clusters[clusterId(u)];
    return { ...u, openFindings: openByCluster.get(clusterId(u)) ?? 0, lastAudited: known?.lastAudited ?? null, notAuditedSince: known?.notAuditedSince ?? null };
  });

  const listedAfter = Date.parse(asOf) - RESOLVED_LISTED_DAYS * DAY;
  const resolved = ledger.findings
    .filter((f) => f.state === 'resolved' && Date.parse(f.resolvedAt!) >= listedAfter)
    .sort((a, b) => b.resolvedAt!.localeCompare(a.resolvedAt!) || a.fingerprint.localeCompare(b.fingerprint))
    .map((f) => ({
      accountId: f.accountId,
      region: f.region,
      clusterName: f.clusterName,
      fingerprint: f.fingerprint,
      ruleId: f.ruleId,
      title: f.title,
      severity: f.severity,
      object: objectLabel(f.object),
      firstSeen: f.firstSeen,
      resolvedAt: f.resolvedAt!,
      resolution: f.resolution ?? 'fixed',
    }));

  const runs = ledger.runs;
  return {
    ...summary,
    clusters: summary.clusters.map((row) => ({ ...row, trend: runs.map((r) => r.scores[clusterId(row)] ?? null) })),
    failuresByRule,
    notAudited,
    ledger: {
      asOf,
      since: ledger.previousRunId,
      opened: changes?.opened.length ?? 0,
      reopened: changes?.reopened.length ?? 0,
      resolved: changes?.resolved.length ?? 0,
      carried: changes?.carried.length ?? 0,
      open: open.length,
    },
    resolved,
    trend: runs.map(({ runId, at, critical, high, audited, notAudited: unaudited }) => ({ runId, at, critical, high, audited, notAudited: unaudited })),
  };
}

/** Adds the suppressions file's state as of the run: unused, expired and soon-expiring entries, or why it could not be read. */
export function withSuppressions(
  summary: FleetSummary,
  suppressions: { entries: readonly Suppression[]; error: string | null },
  assessments: ReadonlyArray<Assessment | ClusterFindings>,
  asOf: string,
): FleetSummary {
  return {
    ...summary,
    suppressions: {
      entries: suppressions.entries.length,
      error: suppressions.error,
      unused: unusedSuppressions(suppressions.entries, assessments, asOf),
      expired: expiredSuppressions(suppressions.entries, asOf),
      expiring: expiringSuppressions(suppressions.entries, asOf, 14),
    },
  };
}
