/** Reads a suppressions file (`--suppressions FILE`): JSON `{ "suppressions": [ { ruleId, clusters?, reason, expires? } ] }`. */
import { readFile } from 'node:fs/promises';
import { suppressionsFileSchema, type Suppression } from '../assess/suppressions.js';
import { UsageError } from './errors.js';

export async function loadSuppressions(file: string | undefined): Promise<Suppression[]> {
  if (!file) return [];
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new UsageError(`${file}: cannot read the suppressions (${(cause as Error).message.split('\n')[0]})`, { cause });
  }
  const result = suppressionsFileSchema.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UsageError(`${file}: not a suppressions file: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data.suppressions;
}
