/**
 * The pipeline's layering: each folder of src/ imports only from the folders below it, so data
 * flows one way (enumerate → collect → assess → render → publish → summarise → notify) and no
 * module reaches up into a layer that uses it. Renderers only render: they never name a rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/fixtures.js';

/** What each layer may import from (besides itself and npm packages). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  'src/target': [],
  'src/reference': [],
  'src/config': [],
  'src/snapshot': ['src/target'],
  'src/assess': ['src/snapshot', 'src/reference', 'src/target'],
  'src/fleet-summary': ['src/assess', 'src/target'],
  'src/render': ['src/assess', 'src/fleet-summary', 'src/target'],
  'src/collect': ['src/snapshot', 'src/target'],
  'src/publish': ['src/target'],
  'src/notify': ['src/render'],
  'src/samples': ['src/snapshot', 'src/target'],
  'src/fleet': ['src/target', 'src/snapshot', 'src/assess', 'src/fleet-summary', 'src/render', 'src/collect', 'src/publish', 'src/notify', 'src/config'],
  'src/lambda': ['src/target', 'src/fleet'],
  'src/cli': [
    'src/target', 'src/snapshot', 'src/assess', 'src/fleet-summary', 'src/render', 'src/collect', 'src/publish', 'src/notify', 'src/config', 'src/samples', 'src/fleet',
  ],
  functions: ['src/target', 'src/config', 'src/publish', 'src/notify', 'src/fleet', 'src/lambda'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

const layerOf = (file: string): string | undefined =>
  Object.keys(MAY_IMPORT).find((layer) => file === layer || file.startsWith(`${layer}/`));

/** Relative import specifiers of a module (static, dynamic and re-exports). */
function relativeImports(source: string): string[] {
  return [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
}

const files = ['src', 'functions'].flatMap(sourceFiles);

describe('the layers of the pipeline', () => {
  it('places every module of src/ and functions/ in a known layer', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => !layerOf(f))).toEqual([]);
  });

  it('never imports from a layer above', () => {
    const upward: string[] = [];
    for (const file of files) {
      const layer = layerOf(file)!;
      for (const specifier of relativeImports(readFileSync(path.join(ROOT, file), 'utf8'))) {
        const target = path.normalize(path.join(path.dirname(file), specifier));
        const targetLayer = layerOf(target);
        // The package's own name and version may be read anywhere.
        if (targetLayer === layer || target === 'package.json') continue;
        if (!targetLayer || !MAY_IMPORT[layer]!.includes(targetLayer)) upward.push(`${file} imports ${target} (${targetLayer ?? 'outside src'})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('finds an upward import when there is one (the check itself works)', () => {
    expect(relativeImports("import { x } from '../fleet/run.js';\nexport { y } from './y.js';\nawait import('../cli/main.js');")).toEqual([
      '../fleet/run.js',
      './y.js',
      '../cli/main.js',
    ]);
    expect(MAY_IMPORT['src/render']).not.toContain('src/fleet');
  });

  it('keeps rule ids out of the renderers and templates: views find checks by area and rule metadata', () => {
    const ruleId = /\b(?:CAL-[A-Z]+|EKS)-\d\d\b/;
    const viewFiles = [
      ...sourceFiles('src/render'),
      ...readdirSync(path.join(ROOT, 'templates'), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.hbs'))
        .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name))),
    ];
    const naming = viewFiles.filter((file) => ruleId.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(naming).toEqual([]);
  });
});
