/**
 * The HTML reports in a real browser: Debian's Chromium driven by playwright-core (.ci/run installs
 * it when missing). Each sample report, the fleet page and a report full of hostile values load
 * from disk with no console error, no request beyond the file itself and no dialog; a full-page
 * screenshot of each lands in test-results/; the findings table is wider than nothing and no wider
 * than the viewport on a phone (390 px) and a laptop (1280 px), and the page never scrolls sideways.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { renderHtml } from '../src/render/html.js';
import { renderClusterReports, renderFleetPages } from '../src/render/index.js';
import { ROOT } from './helpers/fixtures.js';
import { hostileSnapshot, SAMPLE_NAMES, sampleAssessment } from './helpers/reports.js';
import { reportFolder } from '../src/publish/layout.js';
import { summarizeFleet } from '../src/fleet-summary/index.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = path.join(ROOT, 'test-results');
const PAGES = path.join(RESULTS, 'pages');
const WIDTHS = [390, 1280] as const;
const SCREENSHOT_MAX_HEIGHT = 8_000;

/** Writes the pages the browser opens: each sample's report.html, the fleet page, the hostile report. */
function writePages(): Record<string, string> {
  const files: Record<string, string> = {};
  const write = (name: string, relative: string, html: string) => {
    const file = path.join(PAGES, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, html);
    files[name] = file;
  };
  const entries = SAMPLE_NAMES.map((name) => {
    const assessment = sampleAssessment(name);
    const report = `${reportFolder(assessment.target)}/report.html`;
    write(name, report, renderClusterReports(assessment).html);
    return { assessment, report };
  });
  write('fleet', 'index.html', renderFleetPages(summarizeFleet(entries)).html);
  write('hostile', 'hostile/report.html', renderHtml(assess(hostileSnapshot())));
  return files;
}

if (!existsSync(CHROMIUM)) console.warn(`report-browser.test.ts skipped: no ${CHROMIUM} (apt-get install chromium; .ci/run does)`);

describe.skipIf(!existsSync(CHROMIUM))('the HTML reports in Chromium', () => {
  let browser: Browser;
  let pages: Record<string, string>;

  beforeAll(async () => {
    pages = writePages();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a page at a width and records what it must not do. */
  async function open(name: string, width: number) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: true });
    const page = await context.newPage();
    const url = pathToFileURL(pages[name]!).href;
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (request.url() !== url) problems.push(`request: ${request.url()}`);
    });
    page.on('dialog', async (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      await dialog.dismiss();
    });
    await page.goto(url, { waitUntil: 'load' });
    return { page, context, problems };
  }

  /**
   * Saves what a reader sees, down to a fixed height: Chromium fails to capture a 30,000-pixel full
   * page (the 120-node report) when the machine is busy, and the top of a page is what a person checks.
   */
  async function saveScreenshot(page: Page, file: string, width: number) {
    const height = Math.min(Number(await page.evaluate('document.documentElement.scrollHeight')), SCREENSHOT_MAX_HEIGHT);
    await page.screenshot({ path: path.join(RESULTS, file), fullPage: true, clip: { x: 0, y: 0, width, height } });
  }

  const cases = [...SAMPLE_NAMES, 'fleet'].flatMap((name) => WIDTHS.map((width) => [name, width] as const));

  it.each(cases)('%s at %i px: loads clean, fits the width, and is saved as a screenshot', async (name, width) => {
    const { page, context, problems } = await open(name, width);
    await saveScreenshot(page, `${name}-${width}.png`, width);
    // The nodes table: the report's widest (the findings are told under headings, not in a table).
    const table = name === 'fleet' ? page.locator('table').first() : page.locator('xpath=//h2[@id="cluster-architecture-overview"]/following::table[1]');
    const box = await table.boundingBox();
    expect(box, 'the table is rendered').not.toBeNull();
    expect(box!.width).toBeGreaterThan(0);
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(width);
    const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
    expect(scrollWidth, 'the page does not scroll sideways').toBeLessThanOrEqual(width);
    expect(await page.locator('.badge .grade').textContent()).toMatch(/^[ABCDF–]$/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it.each(WIDTHS)('a report full of hostile values shows them as text and runs nothing (%i px)', async (width) => {
    const { page, context, problems } = await open('hostile', width);
    await saveScreenshot(page, `hostile-${width}.png`, width);
    const text = await page.locator('main').innerText();
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).toContain('[click](http://evil.example)');
    expect(text).toContain('{{constructor}}');
    expect(await page.locator('main script, main img, main a[href^="http"], main [onerror]').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
