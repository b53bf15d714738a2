/** Markdown report → one self-contained HTML page: sanitised, inline CSS, no scripts, strict CSP. */
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:0 auto;padding:1rem;color:#1b1f24}
table{border-collapse:collapse;display:block;overflow-x:auto;max-width:100%}td,th{border:1px solid #ccd;padding:.3rem .5rem;text-align:left;vertical-align:top}
pre{background:#f4f5f7;padding:.75rem;overflow-x:auto}code{font-size:.9em}
@media print{pre,table{break-inside:avoid}}`;

export function renderHtml(markdown: string, title: string): string {
  const body = sanitizeHtml(marked.parse(markdown, { async: false }), {
    allowedTags: sanitizeHtml.defaults.allowedTags.concat(['h1', 'h2']),
    allowedAttributes: { th: ['align'], td: ['align'] },
    allowedSchemes: [],
  });
  const safeTitle = sanitizeHtml(title, { allowedTags: [], allowedAttributes: {} });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${safeTitle}</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;
}
