/** `calico-audit what-if`: the snapshot with proposed policy applied, deleted or promoted from staged, compared with the snapshot as it is. */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { whatIf, whatIfText, WhatIfError } from '../assess/what-if.js';
import { loadSnapshot } from '../snapshot/load.js';
import { UsageError } from './errors.js';

export interface WhatIfOptions {
  snapshot: string;
  apply?: string[];
  delete?: string[];
  staged?: boolean;
  format: string;
}

/** Every YAML document of a file, or one clear line on the first that is not YAML. */
async function documentsOf(file: string): Promise<Array<{ object: unknown; where: string }>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(cause)})`}`);
  }
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  return list.map((document, i) => {
    const error = document.errors[0];
    if (error) {
      const line = error.linePos?.[0];
      throw new UsageError(`${file}: not valid YAML${line ? ` (line ${line.line}, column ${line.col})` : ''}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    return { object: document.toJS() as unknown, where: `${file}, document ${i + 1}` };
  });
}

export async function whatIfCommand(options: WhatIfOptions, stdout: (text: string) => void): Promise<number> {
  if (options.format !== 'text' && options.format !== 'json') throw new UsageError(`--format must be text or json (got ${JSON.stringify(options.format)})`);
  if (!options.apply?.length && !options.delete?.length && !options.staged) throw new UsageError('what-if needs --apply FILE, --delete KIND/NAME or --staged');
  const documents = (await Promise.all((options.apply ?? []).map(documentsOf))).flat();
  const snapshot = await loadSnapshot(options.snapshot);
  let report;
  try {
    report = whatIf(snapshot, { documents, deletes: options.delete ?? [], staged: options.staged === true });
  } catch (error) {
    if (error instanceof WhatIfError) throw new UsageError(error.message);
    throw error;
  }
  stdout(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : whatIfText(report));
  return 0;
}
