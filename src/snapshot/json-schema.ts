/** The snapshot's JSON Schema, generated from the same zod definitions the loader validates with. */
import { z } from 'zod';
import { snapshotSchema } from './schema.js';

export const SNAPSHOT_JSON_SCHEMA_PATH = new URL('./snapshot.schema.json', import.meta.url);

export function snapshotJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(snapshotSchema, { target: 'draft-2020-12', io: 'input' }),
    $id: 'https://github.com/calico-eks-auditor/calico-eks-auditor/schemas/snapshot-v1.json',
    title: 'Calico EKS audit snapshot, version 1',
    description:
      'Everything the audit knows about one cluster. AWS objects as AWS SDK for JavaScript v3 returns them, Kubernetes objects as the API server serves them; unknown fields are kept. A list is null when it was not collected (see errors) and [] when it was collected and is empty.',
  };
}

export const renderSnapshotJsonSchema = (): string => `${JSON.stringify(snapshotJsonSchema(), null, 2)}\n`;
