/** The fleet summary layer: its schema (index.json), how it is built, and how two runs compare. */
export { FLEET_SCHEMA_VERSION, fleetSummarySchema, type FleetRow, type FleetSummary } from './schema.js';
export { fleetRowOf, summarizeFleet, summarizeRows, type SummaryOptions, type UnauditedCluster } from './summarize.js';
export { diffFleet, type FindingChange, type FleetDiff } from './diff.js';
