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
  /** Failed rules, most severe first. */
  failed: z.array(z.object({ id: z.string(), severity, title: z.string() })),
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
  /** Rules failed somewhere, by number of clusters failing them. */
  failuresByRule: z.array(z.object({ id: z.string(), title: z.string(), severity, clusters: z.number() })),
  /** Clusters that could not be audited, and (`scope: 'account'`) accounts/regions whose clusters could not be listed. */
  notAudited: z.array(target.extend({ reason: z.string(), scope: z.enum(['cluster', 'account']).default('cluster') })),
});

export type FleetRow = z.infer<typeof fleetRow>;
export type FleetSummary = z.infer<typeof fleetSummarySchema>;
