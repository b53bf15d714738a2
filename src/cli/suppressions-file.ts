/**
 * Reads a suppressions file (`--suppressions FILE`): YAML `suppressions: [{ rule, clusters, match?,
 * reason, owner, ticket?, expires }]`, or the earlier JSON `{ "suppressions": [{ ruleId, ... }] }`.
 */
import { readFile } from 'node:fs/promises';
import type { Suppression } from '../assess/suppressions.js';
import { UsageError } from './errors.js';

export async function loadSuppressions(file: string | undefined): Promise<Suppression[]> {
  if (!file) return [];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new UsageError(`${file}: cannot read the suppressions (${(cause as Error).message.split('\n')[0]})`, { cause });
  }
  // The YAML parser loads only when a file is given: most runs have none.
  const { parseSuppressions, SuppressionsFileError } = await import('../assess/suppressions-file.js');
  try {
    return parseSuppressions(text);
  } catch (error) {
    if (error instanceof SuppressionsFileError) {
      throw new UsageError(`${file}${error.line ? `:${error.line}` : ''}: not a suppressions file: ${error.message.replace(/^line \d+: /, '')}`);
    }
    throw error;
  }
}
