/**
 * Making cluster values safe inside Markdown: as text, as a code span, inside a fenced block, in
 * YAML front matter. Everything a snapshot supplies (names, labels, annotations, tags, summaries
 * that quote them) goes through one of these, so it renders as the characters it holds — never as
 * a link, an image, emphasis, a table cell break or HTML. The HTML rendering sanitises the result
 * again (the second line of defence), but the Markdown must already be safe on its own: it is
 * published, mailed and opened in other viewers.
 */

/** Markdown that is already safe: handlebars prints it as is (it honours `toHTML`). */
export class SafeMarkdown {
  constructor(readonly text: string) {}
  toHTML(): string {
    return this.text;
  }
  toString(): string {
    return this.text;
  }
}

/**
 * A template value as the text `String()` gives it, nothing for null or undefined. Values come from
 * templates and tagged strings untyped; objects among them (`SafeMarkdown`, handlebars' `SafeString`)
 * print through their own `toString`.
 */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any value may arrive here; String() is the intended conversion (objects with their own toString are expected)
  return String(value ?? '');
}

const LINE_BREAKS = /[\r\n\u2028\u2029\u0085\v\f]+/g;
// Inline metacharacters: escapes, code, emphasis, links/images, raw HTML and autolinks, table cells,
// strikethrough, entities. A backslash before any ASCII punctuation is a literal in CommonMark.
const INLINE_META = /[\\`*_[\]<>|~&]/g;
// What starts a block when it begins a line (a list item's text included): headings, lists,
// quotes, thematic breaks, setext underlines, ordered lists.
const BLOCK_START = /^(\s*)([#+\-=>]|\d+[.)])/;

/**
 * A cluster value as inline Markdown text: one line, every inline metacharacter escaped, no
 * autolink. (In a table cell that is enough; where a value starts a line, use `escapeMarkdownBlock`.)
 */
export function escapeMarkdown(value: unknown): string {
  return textOf(value)
    .replace(LINE_BREAKS, ' ')
    .replace(INLINE_META, (c) => `\\${c}`)
    // GFM turns bare URLs and e-mail addresses into links; break the patterns it looks for.
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(/@/g, '\\@');
}

/**
 * Safe inline Markdown that will start a line (a list item's text): also escapes what would open a
 * block there — a heading, a nested list, a thematic break.
 */
export const asLineStart = (fragment: SafeMarkdown): SafeMarkdown =>
  new SafeMarkdown(fragment.text.replace(BLOCK_START, (_all, space: string, lead: string) => `${space}${lead.replace(/([#+\-=.)])$/, '\\$1')}`));

/** `SafeMarkdown` of an escaped value. */
export const md = (value: unknown): SafeMarkdown => new SafeMarkdown(escapeMarkdown(value));

/**
 * Markdown with cluster values interpolated safely: the template's literal parts are Markdown,
 * every `${value}` is escaped unless it is already `SafeMarkdown`.
 */
export function markdown(strings: TemplateStringsArray, ...values: unknown[]): SafeMarkdown {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += (value instanceof SafeMarkdown ? value.text : escapeMarkdown(value)) + strings[i + 1]!;
  });
  return new SafeMarkdown(out);
}

/** Joins safe fragments (and escapes anything else). */
export const joinMarkdown = (parts: unknown[], separator = ', '): SafeMarkdown =>
  new SafeMarkdown(parts.map((p) => (p instanceof SafeMarkdown ? p.text : escapeMarkdown(p))).join(separator));

const longestRun = (text: string, char: string): number => {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
};

/**
 * A code span for a value outside tables: delimited by more backticks than any run inside it, so
 * it cannot be closed early (in a table, use `escapeMarkdown`: GFM splits cells on `|` even in code).
 */
export function codeSpan(value: unknown): SafeMarkdown {
  const text = textOf(value).replace(LINE_BREAKS, ' ');
  const ticks = '`'.repeat(longestRun(text, '`') + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') ? ' ' : '';
  return new SafeMarkdown(`${ticks}${pad}${text}${pad}${ticks}`);
}

/** A fenced block whose fence is longer than any backtick run in the content, so no line can close it. */
export function fencedBlock(content: string, info = ''): SafeMarkdown {
  const text = content.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return new SafeMarkdown(`${fence}${info}\n${text}\n${fence}`);
}

/**
 * A YAML scalar for front matter: a JSON double-quoted string (valid YAML, one line), with what a
 * Markdown renderer unaware of front matter would take for markup or a link written as `\uXXXX`
 * escapes, which YAML reads back as the same characters.
 */
export function yamlScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const unicode = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return JSON.stringify(textOf(value))
    .replace(/[<>&`[\]@]/g, unicode)
    .replace(/:(?=\/\/)/g, unicode)
    .replace(/\b(www)\./gi, (_all, www: string) => `${www}${unicode('.')}`);
}
