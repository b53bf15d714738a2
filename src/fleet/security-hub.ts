/**
 * Security Hub export (opt-in: `securityHub: true`): after each run, every open finding of the
 * clusters audited is imported — or updated, by its stable Id — into the Security Hub of the
 * account and region that own the cluster, through that account's member role; findings resolved
 * lately are archived (RecordState ARCHIVED). BatchImportFindings takes at most 100 findings a call
 * and 10 calls a second per account and region (burst 30): calls are batched at 100, spaced at most
 * 10 a second per account and region, and a throttled call waits and tries again with backoff
 * (Security Hub Partner Guide, "Guidelines for using the BatchImportFindings API").
 *
 * Archiving is repeated by each run while a resolved finding is listed (30 days): one that could
 * not be archived once (throttling, an outage) is archived by a later run, dated by its resolution
 * so that sending it again changes nothing. An account where Security Hub is off or the role may
 * not import is reported, and the others go on.
 */
import { BatchImportFindingsCommand, type AwsSecurityFinding, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import pMap from 'p-map';
import type { Assessment } from '../assess/assess.js';
import { asClusterFindings, type ClusterFindings, type Finding } from '../assess/findings.js';
import { RESOLVED_LISTED_DAYS, type Ledger } from '../fleet-summary/index.js';
import { asffFinding } from '../render/asff.js';

export const BATCH_SIZE = 100;
/** BatchImportFindings' rate per account and region. */
export const CALLS_PER_SECOND = 10;
const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException', 'Throttling', 'ThrottledException']);
const DAY = 86_400_000;

export interface SecurityHubDeps {
  /** A client for the account and region that own the findings (through the member role). */
  clientFor: (accountId: string, region: string) => SecurityHubClient;
  /** A cluster's report as readers open it (Remediation.Recommendation.Url, SourceUrl). */
  reportUrl?: (target: { accountId: string; region: string; clusterName: string }) => string;
  /** Waits; injectable so tests need not. */
  sleep?: (ms: number) => Promise<void>;
  /** Clock for spacing calls; injectable with `sleep`. */
  now?: () => number;
  /** Tries of a throttled call before it is reported (default 6). */
  attempts?: number;
  /** Account/regions exported at once (default 4). */
  concurrency?: number;
}

export interface SecurityHubReport {
  imported: number;
  archived: number;
  failed: number;
  calls: number;
  throttled: number;
  /** Per account and region that could not take its findings, and why (the first error). */
  errors: Array<{ accountId: string; region: string; error: string; findings: number }>;
  /** Findings Security Hub refused one by one (FailedFindings), the first few. */
  rejected: Array<{ id: string; code: string; message: string }>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the run sends: each open finding of an audited cluster, and each finding resolved within the listing window. */
export function findingsToExport(
  ledger: Ledger,
  audited: ReadonlyArray<Assessment | ClusterFindings>,
  runId: string,
  at: string,
  reportUrl?: SecurityHubDeps['reportUrl'],
): AwsSecurityFinding[] {
  const seen = new Map<string, Finding>();
  for (const cluster of audited.map(asClusterFindings)) for (const finding of cluster.findings) seen.set(finding.fingerprint, finding);
  const since = Date.parse(at) - RESOLVED_LISTED_DAYS * DAY;
  const out: AwsSecurityFinding[] = [];
  for (const entry of ledger.findings) {
    const url = reportUrl?.(entry);
    const context = { at, ...(url ? { reportUrl: url } : {}) };
    // Open findings of clusters not audited this run are left as they were: nothing new is known.
    if (entry.state === 'open' && entry.lastSeenRun === runId) out.push(asffFinding(entry, seen.get(entry.fingerprint) ?? null, context));
    else if (entry.state === 'resolved' && Date.parse(entry.resolvedAt!) >= since) out.push(asffFinding(entry, null, context));
  }
  return out;
}

/** Imports the findings, grouped by account and region; never throws. */
export async function exportToSecurityHub(findings: readonly AwsSecurityFinding[], deps: SecurityHubDeps): Promise<SecurityHubReport> {
  const sleep = deps.sleep ?? realSleep;
  const now = deps.now ?? Date.now;
  const attempts = deps.attempts ?? 6;
  const report: SecurityHubReport = { imported: 0, archived: 0, failed: 0, calls: 0, throttled: 0, errors: [], rejected: [] };
  const groups = new Map<string, AwsSecurityFinding[]>();
  for (const finding of findings) {
    const region = finding.Resources?.[0]?.Region ?? '';
    const key = `${finding.AwsAccountId}/${region}`;
    const group = groups.get(key) ?? [];
    group.push(finding);
    groups.set(key, group);
  }
  await pMap(
    [...groups],
    async ([key, group]) => {
      const [accountId, region] = key.split('/') as [string, string];
      const client = deps.clientFor(accountId, region);
      // Calls in this account and region start at least 1/CALLS_PER_SECOND apart.
      let nextCallAt = 0;
      const pace = async () => {
        const wait = nextCallAt - now();
        if (wait > 0) await sleep(wait);
        nextCallAt = Math.max(now(), nextCallAt) + 1000 / CALLS_PER_SECOND;
      };
      for (let start = 0; start < group.length; start += BATCH_SIZE) {
        const batch = group.slice(start, start + BATCH_SIZE);
        let tries = 0;
        for (;;) {
          tries += 1;
          await pace();
          report.calls += 1;
          try {
            const result = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
            const failed = new Set((result.FailedFindings ?? []).map((f) => f.Id));
            for (const finding of batch) {
              if (failed.has(finding.Id)) continue;
              if (finding.RecordState === 'ARCHIVED') report.archived += 1;
              else report.imported += 1;
            }
            report.failed += result.FailedCount ?? failed.size;
            for (const f of (result.FailedFindings ?? []).slice(0, Math.max(0, 10 - report.rejected.length))) {
              report.rejected.push({ id: f.Id ?? '', code: f.ErrorCode ?? '', message: f.ErrorMessage ?? '' });
            }
            break;
          } catch (error) {
            const name = (error as { name?: string }).name ?? 'Error';
            if (THROTTLED.has(name) && tries < attempts) {
              report.throttled += 1;
              // Exponential backoff with full jitter, from 200 ms.
              await sleep(Math.random() * 200 * 2 ** tries);
              continue;
            }
            // This account and region cannot take findings now: report it and leave the rest of its batches.
            const remaining = group.length - start;
            report.failed += remaining;
            report.errors.push({ accountId, region, error: `${name}: ${(error as Error).message ?? ''}`.trim(), findings: remaining });
            return;
          }
        }
      }
    },
    { concurrency: deps.concurrency ?? 4 },
  );
  return report;
}
