/**
 * Clean terminal and report text: names carrying terminal escapes (clear screen, set the window
 * title, the single-character CSI U+009B), a NUL, DEL and a bidi override come out of every
 * rendering — terminal text, Markdown, HTML, JSON, the fleet page, the e-mail, the CLI's lines on
 * stdout and stderr — shown escaped, never raw; and the JSON still reads back to the same values.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { main } from '../src/cli/main.js';
import { summarizeFleet } from '../src/fleet-summary/index.js';
import { renderEmail } from '../src/render/email.js';
import { renderClusterReports, renderFleetPages } from '../src/render/index.js';
import { renderText } from '../src/render/text.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { FAKE_CREDENTIALS, mockAwsFromSnapshot, testAwsClients } from './helpers/aws-mock.js';
import { sampleDocument } from './helpers/fixtures.js';

/** Clears the screen, retitles the window, sets red with the 8-bit CSI, then a NUL, a DEL and a right-to-left override. */
const EVIL = '\u001b[2J\u001b]0;owned\u0007\u009b31m\u0000\u007f\u202etxt.exe';
/** Anything that acts on a terminal or reorders text; line breaks and tabs of the document itself are fine. */
// eslint-disable-next-line no-control-regex -- control characters are what this test looks for
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

function evilSnapshot() {
  const doc = sampleDocument('enterprise-vxlan') as { target: { clusterName: string }; kubernetes: { nodes: Array<{ metadata: { name: string } }> } };
  doc.target.clusterName = `prod${EVIL}`;
  for (const node of doc.kubernetes.nodes) node.metadata.name = `${node.metadata.name}${EVIL}`;
  return validateSnapshot(doc, 'evil');
}

describe('control characters and bidi overrides from a cluster', () => {
  const assessment = assess(evilSnapshot());

  it('are shown escaped in the terminal text, Markdown, HTML and JSON of a report', () => {
    const files = renderClusterReports(assessment);
    for (const [format, text] of Object.entries({ text: renderText(assessment), ...files })) {
      expect(text, format).not.toMatch(RAW);
      expect(text, format).toContain('\\u001b');
    }
    // JSON escapes them as JSON does: the value reads back unchanged.
    expect((JSON.parse(files.json) as { target: { clusterName: string } }).target.clusterName).toBe(`prod${EVIL}`);
    expect(files.markdown).toContain('\\u202etxt.exe');
  });

  it('are shown escaped on the fleet page and in the e-mail', () => {
    const summary = summarizeFleet([{ assessment, report: 'clusters/x/report.html' }], [], { generatedAt: '2026-11-23T02:00:00Z', runId: 'r1', comparedWith: null });
    const pages = renderFleetPages(summary);
    for (const [format, text] of Object.entries(pages)) expect(text, format).not.toMatch(RAW);
    const email = renderEmail(summary, null, { fleetUrl: 'https://reports.example.com/latest/fleet/index.html', masked: false });
    for (const [part, text] of Object.entries(email)) expect(text, part).not.toMatch(RAW);
    expect(email.subject).not.toMatch(/\n/);
  });

  it('are shown escaped on the CLI output, its progress lines and its one-line errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'terminal-text-'));
    const file = path.join(dir, `snapshot${'\u001b]0;owned\u0007'}.json`);
    writeFileSync(file, JSON.stringify(evilSnapshot()));
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), stderrStream: process.stderr };
    expect(await main(['node', 'calico-audit', 'assess', '--snapshot', file, '--format', 'text'], io)).toBe(0);
    expect(stdout).toContain('prod\\u001b[2J');
    expect(stdout).not.toMatch(RAW);
    // A file that is not a snapshot: the one-line error names it, escaped.
    writeFileSync(path.join(dir, 'bad.json'), '{"schemaVersion": 1, "target": {"\u001b[2J": 1}}');
    expect(await main(['node', 'calico-audit', 'assess', '--snapshot', file.replace(/snapshot.*$/, 'bad.json')], io)).toBe(2);
    expect(await main(['node', 'calico-audit', 'assess', '--snapshot', `${file}\u202e.missing`], io)).toBe(2);
    expect(stderr).toContain('\\u202e');
    expect(stderr).not.toMatch(RAW);
    expect(stderr.trim().split('\n')).toHaveLength(2);

    // collect's progress lines and its error name the cluster as given: escaped.
    stderr = '';
    const clients = testAwsClients();
    const aws = mockAwsFromSnapshot(sampleDocument('reference-crosssubnet'), clients, { denied: ['DescribeCluster'] });
    try {
      const deps = { collectDeps: () => ({ aws: clients, credentials: () => Promise.resolve(FAKE_CREDENTIALS) }) };
      const code = await main(['node', 'calico-audit', 'collect', '--cluster', `prod${EVIL}`, '--region', 'eu-west-2', '--out', path.join(dir, 'out.json')], io, deps);
      expect(code).toBe(4);
    } finally {
      aws.restore();
    }
    expect(stderr).toContain('Collecting EKS cluster prod\\u001b[2J');
    expect(stderr).not.toMatch(RAW);
  });
});
