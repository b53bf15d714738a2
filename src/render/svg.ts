/**
 * Small inline SVG charts for the HTML pages — a cluster's score sparkline, the fleet's critical and
 * high counts over the last runs — and their text forms for Markdown. Markup only: no script, no
 * style element, no link; colours come from classes the page's stylesheet defines, and the page's
 * sanitiser lets through exactly these elements and attributes (src/render/html.ts). Every value
 * drawn is in the fleet summary's JSON; the coordinates are only where it is drawn.
 */

/**
 * Text inside the SVG (its title): HTML-escaped, and the characters Markdown or a table would act on
 * (`|`, `*`, `_`, `` ` ``, `\`, `[`, `]`) written as character references, as the chart travels inside Markdown.
 */
const escapeHtml = (text: string): string =>
  text.replace(/[&<>"'|*_`\\[\]]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The SVG elements and attributes the charts use: the sanitiser's allow-list for them. */
export const SVG_ALLOWED: Record<string, string[]> = {
  svg: ['viewbox', 'width', 'height', 'class', 'role', 'aria-label', 'preserveaspectratio'],
  title: [],
  polyline: ['points', 'class'],
  circle: ['cx', 'cy', 'r', 'class'],
  line: ['x1', 'y1', 'x2', 'y2', 'class'],
};
export const SVG_CLASSES = new Set(['spark', 'trend', 'score', 'critical', 'high', 'axis', 'last']);

const round = (n: number): string => String(Math.round(n * 10) / 10);

/** Points of a series on a `width` × `height` box; `null` values break the line. */
function segments(values: ReadonlyArray<number | null>, width: number, height: number, max: number, pad: number): string[][] {
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const y = (v: number) => height - pad - (max > 0 ? (v / max) * (height - 2 * pad) : 0);
  const out: string[][] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length) out.push(current);
      current = [];
      return;
    }
    current.push(`${round(pad + i * step)},${round(y(v))}`);
  });
  if (current.length) out.push(current);
  return out;
}

function polylines(values: ReadonlyArray<number | null>, width: number, height: number, max: number, pad: number, cls: string): string {
  return segments(values, width, height, max, pad)
    .map((points) => (points.length === 1 ? `<circle cx="${points[0]!.split(',')[0]}" cy="${points[0]!.split(',')[1]}" r="1.5" class="${cls}"/>` : `<polyline points="${points.join(' ')}" class="${cls}"/>`))
    .join('');
}

/** A cluster's score over the last runs (0–100), with the latest point marked. */
export function scoreSparkline(scores: ReadonlyArray<number | null>, label: string): string {
  const width = 80;
  const height = 18;
  const pad = 2;
  const known = scores.filter((s): s is number => s !== null);
  const lastIndex = scores.length - 1;
  const last = scores[lastIndex];
  const marker = last === null || last === undefined ? '' : polylines(scores.map((s, i) => (i === lastIndex ? s : null)), width, height, 100, pad, 'last').replace('r="1.5"', 'r="2"');
  const title = `${label}: ${known.length ? known.join(', ') : 'no score'}`;
  return (
    `<svg class="spark" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>${polylines(scores, width, height, 100, pad, 'score')}${marker}</svg>`
  );
}

/** The fleet's critical and high findings over the last runs, on one scale. */
export function severityTrendChart(runs: ReadonlyArray<{ at: string; critical: number; high: number }>): string {
  const width = 240;
  const height = 60;
  const pad = 4;
  const max = Math.max(1, ...runs.map((r) => Math.max(r.critical, r.high)));
  const title = `Critical and high findings over the last ${runs.length} runs (${runs[0]?.at.slice(0, 10) ?? ''} to ${runs.at(-1)?.at.slice(0, 10) ?? ''}): critical ${runs.map((r) => r.critical).join(', ')}; high ${runs.map((r) => r.high).join(', ')}`;
  return (
    `<svg class="trend" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>` +
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" class="axis"/>` +
    polylines(runs.map((r) => r.high), width, height, max, pad, 'high') +
    polylines(runs.map((r) => r.critical), width, height, max, pad, 'critical') +
    `</svg>`
  );
}

const BARS = '▁▂▃▄▅▆▇█';

/** A text sparkline for Markdown: one block per run, `·` where there is no value. */
export function textSparkline(values: ReadonlyArray<number | null>, max = Math.max(1, ...values.filter((v): v is number => v !== null))): string {
  return values.map((v) => (v === null ? '·' : BARS[Math.min(BARS.length - 1, Math.round((v / (max || 1)) * (BARS.length - 1)))]!)).join('');
}
