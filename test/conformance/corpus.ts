/**
 * The Calico project's own published objects (CRDs, manifests, the operator's Installation) that
 * the conformance suite checks against. They are not part of this repository: the directory is
 * given per run (`npm run test:conformance -- <dir>`, or CALICO_CORPUS=<dir>), laid out as
 *
 *   <dir>/crds/crd.projectcalico.org_*.yaml   <dir>/manifests/calico*.yaml   <dir>/operator/custom-resources.yaml
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const CORPUS_ENV = 'CALICO_CORPUS';
export const CORPUS_LAYOUT = ['crds', 'manifests', 'operator'] as const;
const LAYOUT = 'crds/, manifests/ and operator/';

/** Why `dir` cannot serve as the corpus, or undefined when it can. */
export function corpusProblem(dir: string | undefined): string | undefined {
  if (!dir) {
    return `The Calico conformance suite needs the Calico release's published CRDs and manifests: run \`npm run test:conformance -- <dir>\` or \`${CORPUS_ENV}=<dir> npm run test:conformance\`, where <dir> holds a Calico release's ${LAYOUT} (.ci/run uses Calico v3.31.7's).`;
  }
  if (!existsSync(dir)) return `The Calico corpus ${dir} does not exist.`;
  const missing = CORPUS_LAYOUT.filter((sub) => !existsSync(path.join(dir, sub)));
  return missing.length ? `${dir} is not a Calico corpus (${LAYOUT}): it lacks ${missing.map((m) => `${m}/`).join(', ')}.` : undefined;
}

/** The corpus directory of this run (checked). */
export function corpusDir(): string {
  const dir = process.env[CORPUS_ENV] ? path.resolve(process.env[CORPUS_ENV]) : undefined;
  const problem = corpusProblem(dir);
  if (problem) throw new Error(problem);
  return dir!;
}
