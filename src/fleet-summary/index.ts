/** The fleet summary layer: its schema (index.json), how it is built, how two runs compare, and the findings ledger. */
export { FLEET_SCHEMA_VERSION, fleetSummarySchema, type FleetRow, type FleetSummary } from './schema.js';
export { fleetRowOf, summarizeFleet, summarizeRows, type SummaryOptions, type UnauditedCluster } from './summarize.js';
export { diffFleet, type FindingChange, type FleetDiff } from './diff.js';
export {
  clusterHistory,
  emptyLedger,
  ledgerSchema,
  updateLedger,
  RESOLVED_LISTED_DAYS,
  TREND_RUNS,
  type Ledger,
  type LedgerChanges,
  type LedgerEntry,
  type LedgerRunInput,
} from './ledger.js';
export { withLedger, withSuppressions } from './history.js';
export { compareAssessments, compareFleets, type ComparedFinding, type Comparison } from './compare.js';
