/** The fleet page: worst first, failures by rule, clusters not audited, and what changed since the previous run; the e-mail. */
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import type { Assessment } from '../src/assess/assess.js';
import { applySuppressions } from '../src/assess/suppressions.js';
import { renderEmail } from '../src/render/email.js';
import { renderFleetHtml, renderFleetMarkdown } from '../src/render/fleet.js';
import { SAMPLE_NAMES, sampleAssessment, sensitiveValues } from './helpers/reports.js';
import { sampleText } from './helpers/fixtures.js';
import { anyOf } from './helpers/matchers.js';
import { without } from './helpers/objects.js';
import { WELL_KNOWN_ADDRESSES } from '../src/render/mask.js';
import { diffFleet, type FleetSummary, fleetSummarySchema, summarizeFleet } from '../src/fleet-summary/index.js';
import { reportFolder } from '../src/publish/layout.js';

const entry = (assessment: Assessment) => ({ assessment, report: `${reportFolder(assessment.target)}/report.html` });
const fleet = () => SAMPLE_NAMES.map((name) => entry(sampleAssessment(name)));
const unaudited = [{ target: { accountId: '444455556666', region: 'us-east-1', clusterName: 'payments' }, reason: 'AccessDenied: sts:AssumeRole on CalicoAuditReadOnly' }];

describe('summarizeFleet', () => {
  const summary = summarizeFleet(fleet(), unaudited);

  it('lists clusters worst first, with the columns of the fleet table', () => {
    expect(summary.clusters.map((c) => c.clusterName)).toEqual([
      'native-multisubnet-srcdst',
      'mesh-120-no-typha',
      'ec2-denied',
      'enterprise-vxlan',
      'karpenter-growth',
      'pool-migration',
      'ipv6-policy-only',
      'vpc-cni-policy-only',
      'reference-crosssubnet',
    ]);
    const worst = summary.clusters[0]!;
    expect(worst).toMatchObject({ grade: 'D', score: 72, coverage: 1, critical: 2, high: 1, calicoVersion: 'v3.30.3', nodes: 5 });
    expect(worst.failed[0]!.severity).toBe('critical');
    expect(summary.totals).toEqual({ clusters: 10, audited: 9, notAudited: 1, unlisted: 0, critical: 2, high: 14, clustersWithCritical: 1 });
    expect(fleetSummarySchema.parse(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
  });

  it('counts the clusters failing each rule, and keeps the clusters that could not be audited with the reason', () => {
    // Most severe first, by problem title; the widespread low eBPF finding last among its peers, not first.
    expect(summary.failuresByRule.slice(0, 2).map((r) => r.severity)).toEqual(['critical', 'critical']);
    expect(summary.failuresByRule.find((r) => r.id === 'CAL-RT-01')).toEqual({ id: 'CAL-RT-01', title: 'Pod traffic cannot cross subnets', severity: 'critical', clusters: 1 });
    expect(summary.failuresByRule.find((r) => r.id === 'CAL-DP-01')).toEqual({ id: 'CAL-DP-01', title: anyOf(String), severity: 'low', clusters: 9 });
    const ranks = summary.failuresByRule.map((r) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(r.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(summary.failuresByRule.find((r) => r.id === 'CAL-AWS-01')?.clusters).toBe(1);
    expect(summary.notAudited).toEqual([{ accountId: '444455556666', region: 'us-east-1', clusterName: 'payments', reason: unaudited[0]!.reason, scope: 'cluster' }]);
    const markdown = renderFleetMarkdown(summary);
    expect(markdown).toContain('## Clusters that could not be audited');
    expect(markdown).toContain('| payments | 444455556666 | us-east-1 | AccessDenied: sts:AssumeRole on CalicoAuditReadOnly |');
    expect(markdown).toContain('[native-multisubnet-srcdst](clusters/111122223333/eu-west-2/native-multisubnet-srcdst/report.md)');
    // Each rule names the clusters that fail it, linked to their reports.
    expect(markdown).toMatch(/\| CAL-RT-01 \| critical \| Pod traffic cannot cross subnets \| 1 \| \[native-multisubnet-srcdst\]\(clusters\/111122223333\/eu-west-2\/native-multisubnet-srcdst\/report\.md\) \|/);
  });

  it('counts an account whose clusters could not be listed apart from clusters, on the page and in the e-mail', () => {
    const unlisted = { target: { accountId: '777788889999', region: 'eu-west-1', clusterName: '(clusters not listed)' }, reason: 'AccessDenied: sts:AssumeRole', scope: 'account' as const };
    const withUnlisted = summarizeFleet(fleet(), [...unaudited, unlisted], { generatedAt: '2026-11-23T02:00:00Z' });
    expect(withUnlisted.totals).toMatchObject({ clusters: 10, audited: 9, notAudited: 1, unlisted: 1 });
    expect(renderFleetMarkdown(withUnlisted)).toContain('**Clusters:** 10 (9 audited, 1 not audited) · **Not listed:** 1 account/region (their clusters are unknown)');
    const email = renderEmail(withUnlisted, null, { fleetUrl: 'https://reports.example/latest/fleet/index.html', masked: false });
    expect(email.subject).toBe('Calico audit 2026-11-23: 10 clusters, 2 critical (first run), 1 not audited, 1 account/region not listed');
    expect(email.text).toContain('10 clusters (9 audited, 1 could not be audited; the clusters of 1 account/region could not be listed)');
    // A summary written before accounts were counted apart still reads (every entry a cluster).
    const older = fleetSummarySchema.parse({ ...summary, totals: without(summary.totals, 'unlisted'), notAudited: summary.notAudited.map((entry) => without(entry, 'scope')) });
    expect(older.totals.unlisted).toBe(0);
    expect(older.notAudited[0]!.scope).toBe('cluster');
  });

  it('leaves suppressed findings out of the counts', () => {
    const suppressed = applySuppressions(sampleAssessment('native-multisubnet-srcdst'), [
      { ruleId: 'CAL-AWS-01', clusters: ['*'], reason: 'accepted until the subnet move in March' },
    ]);
    const row = summarizeFleet([entry(suppressed)]).clusters[0]!;
    expect(row.failed.map((f) => f.id)).not.toContain('CAL-AWS-01');
    expect(row.critical).toBe(1);
  });
});

describe('diffFleet', () => {
  /** The previous run: reference-crosssubnet was not there, a now-gone cluster was, enterprise-vxlan passed CAL-POL-02 and scored more. */
  function previousRun(): FleetSummary {
    const previous = structuredClone(summarizeFleet(fleet().filter((e) => e.assessment.target.clusterName !== 'reference-crosssubnet')));
    const ev = previous.clusters.find((c) => c.clusterName === 'enterprise-vxlan')!;
    ev.failed = ev.failed.filter((f) => f.id !== 'CAL-POL-02');
    ev.failed.push({ id: 'CAL-AWS-04', severity: 'critical', title: 'Security groups admit VXLAN (UDP 4789) between nodes' });
    ev.score = 70;
    ev.grade = 'D';
    previous.totals.critical += 1;
    previous.clusters.push({ ...ev, clusterName: 'retired', failed: [] });
    previous.generatedAt = '2026-11-22T02:00:00Z';
    return previous;
  }

  it('reports new and resolved findings, score moves, and clusters added and gone', () => {
    const current = summarizeFleet(fleet(), unaudited);
    const diff = diffFleet(current, previousRun());
    expect(diff.newFindings.map((f) => `${f.clusterName} ${f.id}`)).toEqual(['enterprise-vxlan CAL-POL-02']);
    expect(diff.resolvedFindings.map((f) => `${f.clusterName} ${f.id} ${f.severity}`)).toEqual(['enterprise-vxlan CAL-AWS-04 critical']);
    expect(diff.scoreMoves).toEqual([expect.objectContaining({ clusterName: 'enterprise-vxlan', from: 70, to: 80, gradeFrom: 'D', gradeTo: 'B' })]);
    expect(diff.added.map((t) => t.clusterName).sort()).toEqual(['payments', 'reference-crosssubnet']);
    expect(diff.gone.map((t) => t.clusterName)).toEqual(['retired']);
    expect(diff.criticalChange).toBe(-1);

    const markdown = renderFleetMarkdown(current, diff);
    expect(markdown).toContain('## Changes since 2026-11-22');
    expect(markdown).toContain('### New findings');
    expect(markdown).toContain('| enterprise-vxlan (111122223333, eu-west-2) | CAL-POL-02 | high |');
    expect(markdown).toContain('### Resolved findings');
    expect(markdown).toContain('| enterprise-vxlan (111122223333, eu-west-2) | 70 (D) | 80 (B) |');
    expect(markdown).toMatch(/### Clusters gone\n\n- retired/);
  });

  it('says so when nothing changed', () => {
    const summary = summarizeFleet(fleet());
    const diff = diffFleet(summary, summary);
    expect(diff).toMatchObject({ newFindings: [], resolvedFindings: [], scoreMoves: [], added: [], gone: [], criticalChange: 0 });
    expect(renderFleetMarkdown(summary, diff)).toContain('Nothing else changed');
  });

  it('renders the fleet page as HTML with links to each report.html and no outside link', () => {
    const html = renderFleetHtml(summarizeFleet(fleet(), unaudited));
    expect(html).toContain('<a href="clusters/111122223333/eu-west-2/native-multisubnet-srcdst/report.html">native-multisubnet-srcdst</a>');
    expect(html).not.toMatch(/<script|href="http/i);
    expect(marked.lexer(renderFleetMarkdown(summarizeFleet(fleet()))).filter((t) => t.type === 'html')).toEqual([]);
  });
});

describe('the e-mail summary', () => {
  const current = summarizeFleet(fleet(), unaudited, { generatedAt: '2026-11-23T02:30:00Z' });
  const previous = structuredClone(current);
  previous.clusters = previous.clusters.map((c) => (c.clusterName === 'native-multisubnet-srcdst' ? { ...c, failed: c.failed.filter((f) => f.id !== 'CAL-RT-01') } : c));
  previous.totals.critical -= 1;
  previous.generatedAt = '2026-11-22T02:30:00Z';
  const diff = diffFleet(current, previous);

  it('has a subject with the date, cluster count, critical count and change since the last run', () => {
    const email = renderEmail(current, diff, { fleetUrl: 'https://audit.example.com/index.html' });
    expect(email.subject).toBe('Calico audit 2026-11-23: 10 clusters, 2 critical (+1 since last run, 1 new finding), 1 not audited');
    expect(renderEmail(current, null, { fleetUrl: 'x' }).subject).toBe('Calico audit 2026-11-23: 10 clusters, 2 critical (first run), 1 not audited');
  });

  it('lists the worst clusters and the new critical and high findings, in HTML and text, linking the fleet page', () => {
    const email = renderEmail(current, diff, { fleetUrl: 'https://audit.example.com/index.html', rows: 3 });
    for (const body of [email.html, email.text]) {
      expect(body).toContain('native-multisubnet-srcdst');
      expect(body).toContain('mesh-120-no-typha');
      expect(body).not.toContain('reference-crosssubnet');
      expect(body).toMatch(/and \d+ more on the fleet page/);
      expect(body).toContain('CAL-RT-01');
      expect(body).toContain('https://audit.example.com/index.html');
      expect(body).toContain('AccessDenied');
    }
    expect(email.html).not.toMatch(/<script/i);
    expect(email.text).not.toMatch(/<[a-z]/i);
  });

  it('starts with the first actions — problem, cluster and a link — masked without losing a link, and explains low coverage', () => {
    const lowered = { ...current, clusters: current.clusters.map((r) => (r.clusterName === 'karpenter-growth' ? { ...r, coverage: 0.5 } : r)) };
    const masked = renderEmail(lowered, null, { fleetUrl: 'https://audit.example.com/index.html', reportUrl: (row) => `https://audit.example.com/${row.accountId}/${row.clusterName}.html` });
    const actions = masked.text.slice(masked.text.indexOf('First actions'), masked.text.indexOf('Worst clusters'));
    expect(actions).toContain('- critical: Pod traffic cannot cross subnets (CAL-RT-01) on native-multisubnet-srcdst (ACCOUNT-1, eu-west-2)\n  https://audit.example.com/index.html#findings-by-rule');
    // Masked: every link goes to the fleet page, and none carries an account id.
    const links = [...masked.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(link).toMatch(/^https:\/\/audit\.example\.com\/index\.html(#[a-z-]+)?$/);
    expect(masked.text).toContain('Low coverage');
    expect(renderFleetMarkdown(lowered)).toMatch(/\[karpenter-growth\]\([^)]*\) \| [A-F] \| \d+ \| ⚠ 50% \(low\) \|/);
    expect(masked.text).toMatch(/- karpenter-growth \(ACCOUNT-\d+, eu-west-2\): coverage 50%/);
    // Unmasked: each action links its cluster's report.
    const plain = renderEmail(lowered, null, { fleetUrl: 'https://audit.example.com/index.html', masked: false, reportUrl: (row) => `https://audit.example.com/${row.accountId}/${row.clusterName}.html` });
    expect(plain.text).toContain('- critical: Pod traffic cannot cross subnets (CAL-RT-01) on native-multisubnet-srcdst (111122223333, eu-west-2)\n  https://audit.example.com/111122223333/native-multisubnet-srcdst.html');
    // Worst clusters never padded with clean ones.
    const worst = plain.text.slice(plain.text.indexOf('Worst clusters'), plain.text.indexOf('Low coverage'));
    for (const row of lowered.clusters.filter((r) => ['A', 'B'].includes(r.grade ?? '') && r.critical + r.high === 0)) expect(worst).not.toContain(`- ${row.clusterName} (`);
  });

  it('names the rules behind each listed cluster\'s critical count, first run included', () => {
    const email = renderEmail(current, null, { fleetUrl: 'https://audit.example.com/index.html' });
    expect(email.text).toMatch(
      /- native-multisubnet-srcdst \(ACCOUNT-1, eu-west-2\): grade D, score 72, 2 critical \(Source\/destination check is on where pod traffic is unencapsulated; Pod traffic cannot cross subnets\), 1 high/,
    );
    for (const body of [email.text, email.html]) {
      expect(body).toContain('CAL-RT-01');
      expect(body).toContain('CAL-AWS-01');
    }
    expect(email.text).toMatch(/- mesh-120-no-typha \([^)]*\): grade \w, score \d+, 0 critical, /);
  });

  it('is masked by default: no account id or address reaches it, and reports are linked only unmasked', () => {
    const reportUrl = (row: { report: string }) => `https://audit.example.com/${row.report}`;
    const masked = renderEmail(current, diff, { fleetUrl: 'https://audit.example.com/index.html', reportUrl });
    const secrets = [...new Set(SAMPLE_NAMES.flatMap((n) => sensitiveValues(sampleText(n))))].filter((v) => !WELL_KNOWN_ADDRESSES.has(v));
    for (const body of [masked.subject, masked.html, masked.text]) {
      for (const secret of [...secrets, '444455556666']) expect(body).not.toContain(secret);
    }
    expect(masked.text).toContain('ACCOUNT-1');
    const open = renderEmail(current, diff, { fleetUrl: 'https://audit.example.com/index.html', reportUrl, masked: false });
    expect(open.html).toContain('href="https://audit.example.com/clusters/111122223333/eu-west-2/native-multisubnet-srcdst/report.html"');
    expect(open.text).toContain('111122223333');
  });

  it('escapes cluster values in the HTML body', () => {
    const hostile = structuredClone(current);
    hostile.clusters[0]!.clusterName = '<img src=x onerror=alert(1)>';
    const email = renderEmail(hostile, null, { fleetUrl: 'https://audit.example.com/' });
    expect(email.html).not.toMatch(/<img/i);
    expect(email.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(email.text).toContain('<img src=x onerror=alert(1)>');
  });
});
