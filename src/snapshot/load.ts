/**
 * Reads a snapshot file (`.json`, or gzipped `.json.gz`) and validates it against the contract.
 * Input is bounded: only a regular file is opened (a FIFO, /dev/zero or a directory is refused
 * before a byte is read), the file and its decompressed text have size limits, and decompression
 * stops at the first sign of a compression bomb — so a hostile file fails fast with one line.
 */
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { SnapshotInputError } from './errors.js';
import { SNAPSHOT_SCHEMA_VERSION, snapshotSchema, type Snapshot } from './schema.js';

export { SnapshotInputError };

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const MiB = 1024 * 1024;

export interface SnapshotLimits {
  /** The largest file read (compressed or not). */
  maxFileBytes: number;
  /** The largest snapshot text a gzipped file may decompress to. */
  maxDecompressedBytes: number;
}

/**
 * Room for clusters of thousands of nodes (the 120-node sample is 2.5 MiB of indented JSON): a
 * snapshot beyond these is more likely a mistake or an attack, and `--max-snapshot-size` /
 * `--max-decompressed-size` raise them.
 */
export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { maxFileBytes: 256 * MiB, maxDecompressedBytes: 256 * MiB };

/**
 * JSON compresses well, but nowhere near this: gzip's own ceiling is about 1000:1, reached only by
 * runs of one byte (what compression bombs are made of). The 120-node sample compresses 26:1.
 */
const BOMB_RATIO = 200;
/** Output below this is never judged by ratio (tiny files compress oddly). */
const BOMB_FLOOR = 8 * MiB;

const size = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(bytes >= 10 * MiB ? 0 : 1)} MiB` : `${bytes} bytes`);

/** Decompresses in small steps, stopping as soon as the output passes the limit or grows like a bomb. */
function gunzipBounded(bytes: Buffer, file: string, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    const chunks: Buffer[] = [];
    let total = 0;
    let offset = 0;
    let stopped = false;
    const stop = (problem: string) => {
      stopped = true;
      gunzip.destroy();
      reject(new SnapshotInputError(file, problem));
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (stopped) return;
      total += chunk.length;
      if (total > maxBytes) return stop(`decompresses to more than ${size(maxBytes)}, the limit (raise it with --max-decompressed-size)`);
      if (total > BOMB_FLOOR && total > offset * BOMB_RATIO) {
        return stop(`decompresses more than ${BOMB_RATIO} times its size, as only a compression bomb does; refused`);
      }
      chunks.push(chunk);
    });
    gunzip.on('error', (cause) => {
      if (!stopped) reject(new SnapshotInputError(file, 'is gzipped but cannot be decompressed', { cause }));
    });
    gunzip.on('end', () => resolve(Buffer.concat(chunks, total)));
    // Fed a slice at a time, so that `offset` is the compressed input consumed when the output is judged.
    const feed = () => {
      while (!stopped && offset < bytes.length) {
        const slice = bytes.subarray(offset, offset + 16 * 1024);
        offset += slice.length;
        if (!gunzip.write(slice)) return gunzip.once('drain', feed);
      }
      if (!stopped) gunzip.end();
    };
    feed();
  });
}

/** Parses and validates snapshot text or bytes; `file` only names the source in errors. */
export function parseSnapshot(bytes: Buffer | string, file: string): Snapshot {
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      text = gunzipSync(bytes, { maxOutputLength: DEFAULT_SNAPSHOT_LIMITS.maxDecompressedBytes }).toString('utf8');
    } catch (cause) {
      throw new SnapshotInputError(file, 'is gzipped but cannot be decompressed', { cause });
    }
  } else {
    text = bytes.toString('utf8');
  }
  return parseSnapshotText(text, file);
}

function parseSnapshotText(text: string, file: string): Snapshot {
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

const kindOf = (info: Stats): string =>
  info.isFIFO() ? 'a named pipe' : info.isCharacterDevice() ? 'a character device' : info.isBlockDevice() ? 'a block device' : info.isSocket() ? 'a socket' : info.isDirectory() ? 'a directory' : 'not a file';

/** Reads a regular file of at most `maxBytes`; anything else is refused before it is read. */
async function readBounded(file: string, maxBytes: number): Promise<Buffer> {
  let handle: FileHandle;
  try {
    // Non-blocking: opening a named pipe with no writer would otherwise wait forever.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(cause)})`;
    throw new SnapshotInputError(file, problem, { cause });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new SnapshotInputError(file, `is not a regular file (${kindOf(info)})`);
    if (info.size > maxBytes) throw new SnapshotInputError(file, `is ${size(info.size)}, more than the ${size(maxBytes)} limit (raise it with --max-snapshot-size)`);
    // Read what stat promised, and one byte more to notice a file still growing past the limit.
    // Unzeroed: every byte returned is one just read (the buffer is cut to what was filled).
    const buffer = Buffer.allocUnsafe(Math.min(info.size + 1, maxBytes + 1));
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) {
        if (filled > maxBytes) throw new SnapshotInputError(file, `is more than the ${size(maxBytes)} limit (raise it with --max-snapshot-size)`);
        break;
      }
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof SnapshotInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new SnapshotInputError(file, `cannot be read (${code ?? String(error)})`, { cause: error });
  } finally {
    await handle.close();
  }
}

/** Loads a snapshot from disk, within `limits`. */
export async function loadSnapshot(file: string, limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS): Promise<Snapshot> {
  const bytes = await readBounded(file, limits.maxFileBytes);
  const gzipped = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
  const text = gzipped ? (await gunzipBounded(bytes, file, limits.maxDecompressedBytes)).toString('utf8') : bytes.toString('utf8');
  return parseSnapshotText(text, file);
}
