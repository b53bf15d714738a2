/**
 * Masking (`--mask`): no account id, IPv4 address or CIDR from the snapshot survives in a masked
 * report, in any format, and each real value keeps one placeholder throughout the report.
 */
import { describe, expect, it } from 'vitest';
import { renderClusterReports } from '../src/render/index.js';
import { createMasker, mask, WELL_KNOWN_ADDRESSES } from '../src/render/mask.js';
import { sampleText } from './helpers/fixtures.js';
import { SAMPLE_NAMES, sampleAssessment, sensitiveValues } from './helpers/reports.js';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Where `value` occurs in `text` as a whole value (dotted, or dashed as in EC2 host names). */
function occurrences(text: string, value: string): string[] {
  const forms = [value];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(value)) forms.push(`ip-${value.replace(/\./g, '-')}`);
  return forms.flatMap((form) => [...text.matchAll(new RegExp(`(?<![\\w.])${escapeRegExp(form)}(?![\\w/]|\\.\\d)`, 'g'))].map((m) => text.slice(Math.max(0, m.index - 40), m.index + form.length + 20)));
}

describe('masking', () => {
  it.each(SAMPLE_NAMES)('%s: no account id, address or CIDR of the snapshot survives in JSON, Markdown or HTML', (name) => {
    const secrets = sensitiveValues(sampleText(name)).filter((v) => !WELL_KNOWN_ADDRESSES.has(v));
    expect(secrets.length).toBeGreaterThan(0);
    // Unmasked, the same reports do show them (so the scan below can find a leak).
    const plain = renderClusterReports(sampleAssessment(name)).markdown;
    expect(secrets.filter((s) => occurrences(plain, s).length).length).toBeGreaterThan(3);
    const { json, markdown, html } = renderClusterReports(sampleAssessment(name), { masked: true });
    for (const [format, text] of Object.entries({ json, markdown, html })) {
      const leaks = secrets.flatMap((s) => occurrences(text, s).map((where) => `${s} in ${format}: …${where}…`));
      expect(leaks).toEqual([]);
    }
    expect(markdown).toContain('ACCOUNT-1');
    expect(markdown).toMatch(/IP-\d+/);
    expect(markdown).toMatch(/CIDR-\d+/);
    expect(markdown).toContain('are masked');
  });

  it('gives the same real value the same placeholder everywhere in a report, and different values different ones', () => {
    const masked = mask(sampleAssessment('reference-crosssubnet'));
    for (const node of masked.facts.topology.nodes!) {
      // ip-10-0-1-15.eu-west-2.compute.internal carries the same placeholder as 10.0.1.15.
      expect(node.name).toBe(`ip-${node.privateIp}.eu-west-2.compute.internal`);
      expect(node.privateIp).toMatch(/^IP-\d+$/);
    }
    const ips = masked.facts.topology.nodes!.map((n) => n.privateIp);
    expect(new Set(ips).size).toBe(ips.length);
    expect(masked.target.accountId).toBe('ACCOUNT-1');
    expect(JSON.stringify(masked)).not.toContain('111122223333');
  });

  it('reaches values inside strings: ARNs, commands, summaries; and leaves well-known addresses', () => {
    const masker = createMasker();
    expect(masker.text('arn:aws:iam::111122223333:role/x and 444455556666')).toBe('arn:aws:iam::ACCOUNT-1:role/x and ACCOUNT-2');
    expect(masker.text('--cidr 10.0.0.0/16 to 10.0.1.15, open to 0.0.0.0/0 and 169.254.169.254')).toBe(
      '--cidr CIDR-1 to IP-1, open to 0.0.0.0/0 and 169.254.169.254',
    );
    expect(masker.text('ip-10-0-1-15.eu-west-2.compute.internal')).toBe('ip-IP-1.eu-west-2.compute.internal');
    expect(masker.text('Calico v3.30.4, 1.2.3.4.5, i-0123456789abcdef0, 2026-11-23')).toBe('Calico v3.30.4, 1.2.3.4.5, i-0123456789abcdef0, 2026-11-23');
    expect([...masker.table]).toEqual([
      ['111122223333', 'ACCOUNT-1'],
      ['444455556666', 'ACCOUNT-2'],
      ['10.0.0.0/16', 'CIDR-1'],
      ['10.0.1.15', 'IP-1'],
    ]);
  });
});
