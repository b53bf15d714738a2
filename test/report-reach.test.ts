/** Section 5's "Who can reach whom": the matrix in Markdown, coloured in HTML, summarised above 30 namespaces, whole in report.json. */
import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { assessmentSchema } from '../src/assess/assessment-schema.js';
import { renderHtml } from '../src/render/html.js';
import { renderJson } from '../src/render/json.js';
import { renderMarkdown } from '../src/render/markdown.js';
import { MATRIX_NAMESPACE_LIMIT, NAMESPACE_ROW_LIMIT } from '../src/render/report/policy.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { sampleDocument } from './helpers/fixtures.js';
import { worldSnapshot } from './helpers/policy-world.js';

const section = (markdown: string) => markdown.slice(markdown.indexOf('### Who can reach whom'), markdown.indexOf('## 6.'));

/** A cluster of `count` namespaces, each isolated but for traffic from the first. */
function manyNamespaces(count: number) {
  const names = Array.from({ length: count }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);
  return assess(
    worldSnapshot({
      pods: Object.fromEntries(names.map((n) => [`${n}/app`, {}])),
      kubernetesPolicies: names.slice(1).map((n): [string, Record<string, unknown>] => [
        `${n}/from-first`,
        { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': names[0] } } }] }] },
      ]),
    }),
  );
}

describe('who can reach whom', () => {
  const reference = assess(validateSnapshot(sampleDocument('reference-crosssubnet'), 'reference'));

  it('shows the namespace matrix with a legend, lettered columns and the key flows (Markdown)', () => {
    const text = section(renderMarkdown(reference));
    expect(text).toContain('✓ allowed · ✗ denied · ◐ partly (some pods or ports) · ? unknown');
    expect(text).toContain('| From ↓ / to → | A | B | C | D | E | F | G |');
    expect(text).toContain('| A catalog | ✓ | ✗ | ✗ | ✗ | ✗ | ✗ | ◐ |');
    // Namespaces whose key flows read the same share a row.
    expect(text).toContain('| Namespaces | DNS | API server | Same namespace | Internet |');
    expect(text).toContain('| catalog, ingress-nginx, monitoring, orders, payments, storefront | ✓ allowed | ✗ denied | ✓ allowed | ◐ partly |');
    expect(text).toContain('| kube-system (system) | ✓ allowed | ✓ allowed | ✓ allowed | ✓ allowed |');
    expect(text).toContain('**API server:** 10.0.15.250, 10.0.31.250 on TCP 443 (the kubernetes EndpointSlices)');
  });

  it('colours each verdict in HTML, and only those cells', () => {
    const html = renderHtml(reference);
    expect(html).toMatch(/<td data-label="A" class="reach reach-allowed">✓<\/td>/);
    expect(html).toMatch(/<td data-label="B" class="reach reach-denied">✗<\/td>/);
    expect(html).toMatch(/<td data-label="G" class="reach reach-partly">◐<\/td>/);
    expect(html).toMatch(/<td data-label="Internet" class="reach reach-partly">◐ partly<\/td>/);
    expect(html).toContain('.reach-denied{');
    expect(html).not.toMatch(/class="reach[^"]*">[^✓✗◐?]/);
  });

  it('carries the whole matrix in report.json, valid against the assessment schema', () => {
    const json = assessmentSchema.parse(JSON.parse(renderJson(reference)));
    const reach = json.facts.policy.reach!;
    expect(reach.namespaces.map((n: { name: string }) => n.name)).toEqual(['catalog', 'ingress-nginx', 'monitoring', 'orders', 'payments', 'storefront', 'kube-system']);
    expect(reach.matrix).toHaveLength(7);
    expect(reach.matrix.every((row: string[]) => row.length === 7)).toBe(true);
    expect(reach.matrix[3]?.[4]).toBe('partly'); // orders → payments: TCP 8443 only
    expect(reach.namespaces[4]).toMatchObject({ name: 'payments', dns: 'allowed', apiServer: 'denied', sameNamespace: 'allowed', internet: 'partly' });
  });

  it(`summarises above ${MATRIX_NAMESPACE_LIMIT} namespaces, one row each, and keeps the matrix in report.json`, () => {
    const assessment = manyNamespaces(MATRIX_NAMESPACE_LIMIT + 5);
    const text = section(renderMarkdown(assessment));
    expect(text).not.toContain('| From ↓ / to →');
    expect(text).toContain(`${MATRIX_NAMESPACE_LIMIT + 5} namespaces run pods: too many for a readable matrix`);
    expect(text).toContain('| Namespace | Namespaces reached | DNS | API server | Same namespace | Internet |');
    // The first namespace reaches every other one; the others reach none but themselves... and are isolated from each other.
    expect(text).toContain(`| team-01 | ✓ ${MATRIX_NAMESPACE_LIMIT + 5} · ◐ 0 · ✗ 0 · ? 0 |`);
    expect(text).toContain('| team-02 | ✓ 1 · ◐ 0 · ✗ 34 · ? 0 |');
    const reach = assessment.facts.policy.reach!;
    expect(reach.matrix).toHaveLength(MATRIX_NAMESPACE_LIMIT + 5);
    expect(reach.matrix[1]![2]).toBe('denied');
    expect(reach.matrix[0]![2]).toBe('allowed');
  });

  it(`lists ${NAMESPACE_ROW_LIMIT} namespaces and leaves the rest to report.json`, () => {
    const text = section(renderMarkdown(manyNamespaces(NAMESPACE_ROW_LIMIT + 3)));
    expect(text.match(/^\| team-\d+ \|/gm)).toHaveLength(NAMESPACE_ROW_LIMIT);
    expect(text).toContain('… and 3 more namespaces in report.json.');
  });

  it('says so when policies were not collected, instead of a matrix', () => {
    const document = sampleDocument('reference-crosssubnet');
    document.calico.globalNetworkPolicies = null;
    document.errors.push({ source: 'calico:globalnetworkpolicies', code: 'Forbidden', message: 'forbidden' });
    const text = section(renderMarkdown(assess(validateSnapshot(document, 'x'))));
    expect(text).toContain('Who can reach whom is not determined: the policies or pods were not all collected.');
    expect(text).not.toContain('| From ↓');
  });
});
