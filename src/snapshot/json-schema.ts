/** The snapshot's JSON Schema, generated from the same zod definitions the loader validates with. */
// The namespace import lets bundlers drop what is unused (the named `z` drags in all of zod).
import * as z from 'zod';
import { snapshotSchema } from './schema.js';

export const SNAPSHOT_JSON_SCHEMA_PATH = new URL('./snapshot.schema.json', import.meta.url);

/** A published JSON Schema document from a zod schema: draft 2020-12, with its id, title and description. */
export function jsonSchemaDocument(
  schema: z.ZodType,
  meta: { name: string; title: string; description: string },
  io: 'input' | 'output' = 'output',
): Record<string, unknown> {
  return {
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }),
    $id: `https://github.com/calico-eks-auditor/calico-eks-auditor/schemas/${meta.name}.json`,
    title: meta.title,
    description: meta.description,
  };
}

export const snapshotJsonSchema = (): Record<string, unknown> =>
  jsonSchemaDocument(
    snapshotSchema,
    {
      name: 'snapshot-v1',
      title: 'Calico EKS audit snapshot, version 1',
      description:
        'Everything the audit knows about one cluster. AWS objects as AWS SDK for JavaScript v3 returns them, Kubernetes objects as the API server serves them; unknown fields are kept. A list is null when it was not collected (see errors) and [] when it was collected and is empty.',
    },
    'input',
  );

export const renderSnapshotJsonSchema = (): string => `${JSON.stringify(snapshotJsonSchema(), null, 2)}\n`;
