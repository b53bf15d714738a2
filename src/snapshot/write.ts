/** Writes a snapshot file: gzipped JSON when the name ends in `.gz`, plain JSON otherwise (what `loadSnapshot` reads). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Snapshot } from './schema.js';

export async function writeSnapshotFile(file: string, snapshot: Snapshot): Promise<void> {
  const text = `${JSON.stringify(snapshot, null, 2)}\n`;
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, file.endsWith('.gz') ? gzipSync(text) : text);
}
