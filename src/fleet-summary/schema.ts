/**
 * The fleet summary (index.json): one row per audited cluster, the rules failed across the fleet,
 * and the clusters that could not be audited. It is the fleet page's data and the JSON rendering of
 * it; the next run reads it back to say what changed.
 */
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';
import { SEVERITIES } from '../assess/rule.js';
import { clusterTargetSchema } from '../target/index.js';

export const FLEET_SCHEMA_VERSION = 1 as const;

const severity = z.enum(SEVERITIES);
const target = clusterTargetSchema;

const fleetRow = target.extend({
  grade: z.enum(['A', 'B', 'C', 'D', 'F']).nullable(),
  score: z.number().nullable(),
  coverage: z.number().nullable(),
  critical: z.number(),
  high: z.number(),
  calicoVersion: z.string().nullable(),
  calicoVariant: z.string(),
  cniMode: z.string(),
  nodes: z.number().nullable(),
  /** The cluster's HTML report, relative to the fleet page. */
  report: z.string(),
  collectedAt: z.string(),
  /** Failed rules, most severe first; `objects`: what each failure is about (`Kind/name`), when it names objects. */
  failed: z.array(z.object({ id: z.string(), severity, title: z.string(), objects: z.array(z.string()).optional() })),
  /** Score in each of the ledger's last runs (`trend` below), `null` where the cluster was not audited. */
  trend: z.array(z.number().nullable()).optional(),
});

const suppressionNote = z.object({
  ruleId: z.string(),
  clusters: z.array(z.string()),
  match: z.string().optional(),
  reason: z.string(),
  owner: z.string().optional(),
  ticket: z.string().optional(),
  expires: z.string().nullable(),
  line: z.number().optional(),
});

/** The fleet summary (index.json); also what `--previous` reads back. */
export const fleetSummarySchema = z.object({
  schemaVersion: z.literal(FLEET_SCHEMA_VERSION),
  generatedAt: z.string().nullable(),
  /** The run this page summarises, and the run it was compared with (absent from pages made outside a run). */
  runId: z.string().nullable().optional(),
  comparedWith: z.string().nullable().optional(),
  totals: z.object({
    clusters: z.number(),
    audited: z.number(),
    notAudited: z.number(),
    /** Account and region pairs whose clusters could not even be listed (not counted in `clusters`). */
    unlisted: z.number().default(0),
    critical: z.number(),
    high: z.number(),
    /** Clusters with at least one failed critical rule. */
    clustersWithCritical: z.number(),
  }),
  clusters: z.array(fleetRow),
  /** Rules failed somewhere, by number of clusters failing them; `where`: each cluster failing it and since when (from the ledger). */
  failuresByRule: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      severity,
      clusters: z.number(),
      where: z
        .array(target.extend({ report: z.string(), objects: z.number(), openedAt: z.string(), firstSeen: z.string(), openDays: z.number() }))
        .optional(),
    }),
  ),
  /**
   * Clusters that could not be audited, and (`scope: 'account'`) accounts/regions whose clusters could
   * not be listed; with a ledger, the findings they keep open and when they were last audited.
   */
  notAudited: z.array(
    target.extend({
      reason: z.string(),
      scope: z.enum(['cluster', 'account']).default('cluster'),
      openFindings: z.number().optional(),
      lastAudited: z.string().nullable().optional(),
      notAuditedSince: z.string().nullable().optional(),
    }),
  ),
  /** From the findings ledger: what this run changed, counted per finding (cluster + rule + object). */
  ledger: z
    .object({ asOf: z.string(), since: z.string().nullable(), opened: z.number(), reopened: z.number(), resolved: z.number(), carried: z.number(), open: z.number() })
    .optional(),
  /** Findings resolved in the last 30 days, latest first. */
  resolved: z
    .array(
      target.extend({
        fingerprint: z.string(),
        ruleId: z.string(),
        title: z.string(),
        severity,
        object: z.string().nullable(),
        firstSeen: z.string(),
        resolvedAt: z.string(),
        resolution: z.enum(['fixed', 'cluster-gone']),
      }),
    )
    .optional(),
  /** The fleet over the ledger's last runs (oldest first): the trend charts' data. */
  trend: z
    .array(z.object({ runId: z.string(), at: z.string(), critical: z.number(), high: z.number(), audited: z.number(), notAudited: z.number() }))
    .optional(),
  /** The suppressions file as of this run: entries, ones that matched nothing, expired ones, ones ending within 14 days. */
  suppressions: z
    .object({
      entries: z.number(),
      error: z.string().nullable(),
      unused: z.array(suppressionNote),
      expired: z.array(suppressionNote),
      expiring: z.array(suppressionNote),
    })
    .optional(),
});

export type FleetRow = z.infer<typeof fleetRow>;
export type FleetSummary = z.infer<typeof fleetSummarySchema>;
