/**
 * Hostile data: names, tags, labels and annotations are chosen by whoever runs workloads in the
 * cluster. Script tags, event-handler attributes, Markdown links, handlebars braces and backtick
 * fences in them must come out as text in the Markdown and the HTML — never as markup, a link or
 * the end of a code block. (The browser half of this is in report-browser.test.ts.)
 */
import { marked, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { assess } from '../src/assess/assess.js';
import { markdownToSafeHtml, renderHtml } from '../src/render/html.js';
import { renderMarkdown } from '../src/render/markdown.js';
import { HOSTILE, hostileSnapshot } from './helpers/reports.js';

const assessment = assess(hostileSnapshot());
const markdown = renderMarkdown(assessment);
const html = renderHtml(assessment);

/** Every token of a Markdown document, nested ones included. */
function tokens(list: Token[]): Token[] {
  return list.flatMap((t) => {
    const children: Token[] = [];
    if ('tokens' in t && Array.isArray(t.tokens)) children.push(...tokens(t.tokens));
    // `Token` includes marked's generic token, so `type` does not narrow it: name the list and table types.
    if (t.type === 'list') for (const item of (t as Tokens.List).items) children.push(...tokens(item.tokens));
    if (t.type === 'table') {
      const table = t as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) children.push(...tokens(cell.tokens));
    }
    return [t, ...children];
  });
}

describe('hostile values in a snapshot', () => {
  it('reach the report (in names, tags, labels, annotations, policy and namespace names)', () => {
    const nodes = assessment.facts.topology.nodes!;
    expect(nodes.every((n) => n.instanceName?.includes('<script>'))).toBe(true);
    expect(assessment.facts.securityGroups!.every((g) => g.groupName?.includes('onerror') || g.groupName?.includes('script'))).toBe(true);
    expect(markdown).toContain('alert(1)');
    expect(markdown).toContain('{{constructor}}');
    for (const value of ['evil.example', 'whoami', 'onerror']) expect(markdown).toContain(value);
  });

  it('render as text in Markdown: no HTML, image or link, and every fence holds', () => {
    const all = tokens(marked.lexer(markdown));
    expect(all.filter((t) => t.type === 'html').map((t) => t.raw)).toEqual([]);
    expect(all.filter((t) => t.type === 'image')).toEqual([]);
    // Links: only the report's own, to its anchors (the contents, the summary); none from a value.
    expect(all.filter((t) => t.type === 'link').map((t) => (t as Token & { href: string }).href).filter((href) => !/^#[a-z0-9-]+$/.test(href))).toEqual([]);
    // A fence broken by a value would leave `rm -rf /` as a paragraph or heading of its own.
    const outsideCode = all.filter((t) => t.type === 'paragraph' || t.type === 'heading' || t.type === 'text').map((t) => t.raw);
    expect(outsideCode.filter((raw) => /^rm -rf/m.test(raw))).toEqual([]);
    // Rendered without any sanitiser, the Markdown still yields no live markup.
    const unsanitised = marked.parse(markdown, { async: false });
    expect(unsanitised).not.toMatch(/<script|<img|<a href="http|<[^>]*\sonerror=/i);
    expect(unsanitised).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('render as text in HTML: no script, no event handler, no outside link', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<[^>]*\son\w+=/i);
    expect(html).not.toMatch(/<a href="http/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('{{constructor}}');
    expect(html).toContain('[click](http://evil.example)');
  });

  it.each(HOSTILE.map((h) => [h]))('a cluster named %j is escaped in the title, header and every format', (name) => {
    const renamed = { ...assessment, target: { ...assessment.target, clusterName: name }, facts: { ...assessment.facts, cluster: { ...assessment.facts.cluster, name } } };
    const page = renderHtml(renamed);
    expect(page).not.toMatch(/<script|<img|<[^>]*\sonerror=/i);
    const report = renderMarkdown(renamed);
    const lexed = tokens(marked.lexer(report));
    expect(lexed.filter((t) => t.type === 'html' || t.type === 'image' || (t.type === 'link' && !/^#[a-z0-9-]+$/.test((t as Token & { href: string }).href)))).toEqual([]);
    // The front matter still reads back, as YAML, to the exact name.
    const frontMatter = parseYaml(report.split('\n---\n')[0]!.replace(/^---\n/, '')) as { cluster?: unknown };
    expect(frontMatter.cluster).toBe(name);
  });
});

// The second line of defence, on its own: Markdown that somehow carried raw HTML (a template bug,
// a helper that forgot to escape) still comes out as the page's own tags and nothing else.
describe('the HTML sanitiser behind marked', () => {
  it('escapes tags the report never produces, so they read as text', () => {
    const out = markdownToSafeHtml('<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n<iframe src="https://evil.example"></iframe>');
    expect(out).not.toMatch(/<script|<img|<iframe/i);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('&lt;img');
  });

  it('drops attributes and classes outside the allow-list, and comments', () => {
    const out = markdownToSafeHtml('<div class="table-wrap evil" onclick="alert(1)" style="position:fixed">x</div>\n\n<p id="p" title="t">y</p><!-- hidden -->');
    expect(out).toContain('<div class="table-wrap">');
    expect(out).not.toMatch(/onclick|style=|evil|title=|hidden/);
  });

  it('keeps relative links and anchors, and removes every link with a scheme or to another host', () => {
    const out = markdownToSafeHtml(
      [
        '[report](clusters/111122223333/eu-west-2/prod/report.html)',
        '[up](../fleet/index.html)',
        '[rule](#cal-aws-01)',
        '[web](https://evil.example/)',
        '<a href="JaVaScRiPt&#58;alert(1)">js</a>',
        '<a href="  javascript:alert(1)">js2</a>',
        '<a href="//evil.example/x">proto</a>',
        '<a href="data:text/html,hi">data</a>',
        '<a href="mailto:x@example.com">mail</a>',
      ].join('\n\n'),
    );
    const hrefs = [...out.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['clusters/111122223333/eu-west-2/prod/report.html', '../fleet/index.html', '#cal-aws-01']);
    expect(out).toMatch(/<a>web<\/a>/);
  });

  it('keeps what the report renderer produces: heading ids, severity classes, stacked-cell labels', () => {
    const out = markdownToSafeHtml('## Findings\n\n| Severity | Rule |\n|---|---|\n| critical | CAL-AWS-01 |\n');
    expect(out).toMatch(/<h2 id="findings">/);
    expect(out).toMatch(/<td [^>]*class="sev sev-critical"/);
    expect(out).toMatch(/data-label="Severity"/);
    expect(out).toContain('<div class="table-wrap">');
  });
});
