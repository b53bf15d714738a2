/**
 * Every rendering of one run, as strings: a cluster's report.{json,md,html} and the fleet page's
 * index.{json,md,html}. Pure; writing them somewhere (a folder, S3) is the caller's job.
 */
import type { Assessment } from '../assess/assess.js';
import { renderFleetHtml, renderFleetJson, renderFleetMarkdown } from './fleet.js';
export { renderLatestPage } from './fleet.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { mask } from './mask.js';
import { buildReportView } from './report/index.js';
import type { FleetDiff, FleetSummary } from '../fleet-summary/index.js';

export interface RenderedFiles {
  json: string;
  markdown: string;
  html: string;
}

/** A cluster's three renderings, from one view; with `masked`, from the masked assessment. */
export function renderClusterReports(assessment: Assessment, options: { masked?: boolean } = {}): RenderedFiles {
  const subject = options.masked ? mask(assessment) : assessment;
  const view = buildReportView(subject, options);
  return { json: renderJson(subject), markdown: renderMarkdown(subject, options, view), html: renderHtml(subject, options, view) };
}

/** The fleet page's three renderings. */
export function renderFleetPages(summary: FleetSummary, diff: FleetDiff | null = null): RenderedFiles {
  return { json: renderFleetJson(summary), markdown: renderFleetMarkdown(summary, diff), html: renderFleetHtml(summary, diff) };
}
