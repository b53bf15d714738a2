/** The snapshot contract: loading, validation messages, null vs [], and the checked-in JSON Schema. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { normalize } from '../src/assess/normalize/index.js';
import { renderSnapshotJsonSchema, snapshotJsonSchema, SNAPSHOT_JSON_SCHEMA_PATH } from '../src/snapshot/json-schema.js';
import { loadSnapshot, SnapshotInputError } from '../src/snapshot/load.js';
import { listSampleSnapshots } from '../src/samples/index.js';
import { emptySnapshot } from './helpers/minimal-snapshot.js';

const dir = mkdtempSync(path.join(tmpdir(), 'calico-audit-snapshot-'));
const write = (name: string, content: string | Buffer) => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};

describe('loadSnapshot', () => {
  it('reads .json and gzipped .json.gz alike', async () => {
    const text = JSON.stringify(emptySnapshot({ clusterName: 'plain' }));
    expect((await loadSnapshot(write('a.json', text))).target.clusterName).toBe('plain');
    expect((await loadSnapshot(write('a.json.gz', gzipSync(text)))).target.clusterName).toBe('plain');
  });

  it.each([
    ['missing.json', null, 'no such file'],
    ['garbage.json', '{not json', 'is not JSON'],
    ['array.json', '[]', 'is not a snapshot (expected a JSON object)'],
    ['nothing.json', '{"hello": 1}', 'is not a snapshot (no schemaVersion field)'],
    ['v2.json', JSON.stringify({ ...emptySnapshot(), schemaVersion: 2 }), 'has schemaVersion 2; this version of calico-audit reads schemaVersion 1'],
    ['broken.json', JSON.stringify({ ...emptySnapshot(), target: { region: 'eu-west-2' } }), 'is not a valid snapshot: target.accountId'],
  ])('rejects %s with one line naming the file and the problem', async (name, content, problem) => {
    const file = content === null ? path.join(dir, name) : write(name, content);
    const error = await loadSnapshot(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotInputError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain(problem);
    expect((error as Error).message).not.toContain('\n');
  });

  it('keeps "not collected" (null) and "collected, none" ([]) apart all the way to the model', async () => {
    const document = emptySnapshot();
    document.calico.bgpPeers = null;
    document.errors.push({ source: 'calico:bgppeers', code: 'Forbidden', message: 'bgppeers is forbidden' });
    const model = normalize(await loadSnapshot(write('nulls.json', JSON.stringify(document))));
    expect(model.bgpPeers).toBeNull();
    expect(model.ippools).toEqual([]);
  });

  it('passes unknown fields through untouched', async () => {
    const document = emptySnapshot();
    document.aws.instances = [{ InstanceId: 'i-0a1b2c3d4e5f60001', SomeFutureField: { x: 1 } }];
    const snapshot = await loadSnapshot(write('extra.json', JSON.stringify(document)));
    expect(snapshot.aws.instances?.[0]).toMatchObject({ SomeFutureField: { x: 1 } });
  });
});

describe('the published JSON Schema', () => {
  it('is checked in and matches the zod definitions (run `npm run schema` after changing them)', () => {
    expect(readFileSync(SNAPSHOT_JSON_SCHEMA_PATH, 'utf8')).toBe(renderSnapshotJsonSchema());
  });

  it('accepts every sample snapshot and rejects a wrong schemaVersion', async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(snapshotJsonSchema());
    const samples = await listSampleSnapshots();
    expect(samples.length).toBeGreaterThanOrEqual(6);
    for (const file of samples) expect(validate(JSON.parse(readFileSync(file, 'utf8'))), `${file}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    expect(validate({ ...emptySnapshot(), schemaVersion: 2 })).toBe(false);
  });
});
