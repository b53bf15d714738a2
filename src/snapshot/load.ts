/** Reads a snapshot file (`.json`, or gzipped `.json.gz`) and validates it against the contract. */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { SnapshotInputError } from './errors.js';
import { SNAPSHOT_SCHEMA_VERSION, snapshotSchema, type Snapshot } from './schema.js';

export { SnapshotInputError };

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Parses and validates snapshot text or bytes; `file` only names the source in errors. */
export function parseSnapshot(bytes: Buffer | string, file: string): Snapshot {
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      text = gunzipSync(bytes).toString('utf8');
    } catch (cause) {
      throw new SnapshotInputError(file, 'is gzipped but cannot be decompressed', { cause });
    }
  } else {
    text = bytes.toString('utf8');
  }

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new SnapshotInputError(file, `is not JSON (${(cause as Error).message})`, { cause });
  }
  return validateSnapshot(document, file);
}

/** Validates an already parsed document. */
export function validateSnapshot(document: unknown, file: string): Snapshot {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new SnapshotInputError(file, 'is not a snapshot (expected a JSON object)');
  }
  const version = (document as Record<string, unknown>)['schemaVersion'];
  if (version === undefined) {
    throw new SnapshotInputError(file, 'is not a snapshot (no schemaVersion field)');
  }
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new SnapshotInputError(
      file,
      `has schemaVersion ${JSON.stringify(version)}; this version of calico-audit reads schemaVersion ${SNAPSHOT_SCHEMA_VERSION}`,
    );
  }
  const result = snapshotSchema.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
    throw new SnapshotInputError(file, `is not a valid snapshot: ${where}: ${issue.message}${more}`);
  }
  return result.data;
}

/** Loads a snapshot from disk. */
export async function loadSnapshot(file: string): Promise<Snapshot> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(cause)})`;
    throw new SnapshotInputError(file, problem, { cause });
  }
  return parseSnapshot(bytes, file);
}
