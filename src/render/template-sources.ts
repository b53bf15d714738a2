/**
 * The report templates: `templates/` is where people edit them; the renderers read the copy
 * embedded in templates.generated.ts, which `npm run build` writes (scripts/build-templates.mjs)
 * so that a bundled Lambda, with no templates/ folder beside it, has them too.
 */
import { TEMPLATE_SOURCES } from './templates.generated.js';

/** The text of `templates/<name>` (e.g. `cluster-report.md.hbs`, `partials/ipam.md.hbs`). */
export function templateSource(name: string): string {
  const source = TEMPLATE_SOURCES[name];
  if (source === undefined) throw new Error(`no template ${name} (run \`npm run build\` after adding one)`);
  return source;
}

/** Every partial, as [partial name, source]: `partials/ipam.md.hbs` is the partial `ipam`. */
export const partialSources = (): Array<[string, string]> =>
  Object.entries(TEMPLATE_SOURCES)
    .filter(([name]) => name.startsWith('partials/'))
    .map(([name, source]) => [name.slice('partials/'.length).replace(/\.(md|html)\.hbs$/, ''), source]);
