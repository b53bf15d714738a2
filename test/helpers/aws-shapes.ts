/**
 * AWS objects in the exact forms the SDK and the wire carry them, from the schemas the installed
 * AWS SDK v3 clients deserialise with (`Instance$`, `Cluster$`, … exported by @aws-sdk/client-ec2
 * and @aws-sdk/client-eks, walked with smithy's `NormalizedSchema`): `sdkShaped` turns a snapshot's
 * JSON (timestamps as ISO strings) back into what the SDK returns (timestamps as `Date`); `ec2Xml`
 * writes an EC2 query-protocol response body (`xmlName`s, `<item>` list members); `eksWireJson`
 * writes EKS's REST-JSON body (timestamps as epoch seconds).
 *
 * Each is strict: a member the SDK's shape does not have, or a value of the wrong kind (a string
 * where the shape has a list, …), throws with its path, so a fixture the real API could never have
 * produced cannot pass through a test unnoticed.
 */
import * as autoScalingSdk from '@aws-sdk/client-auto-scaling';
import * as ec2Sdk from '@aws-sdk/client-ec2';
import * as eksSdk from '@aws-sdk/client-eks';
import * as eventBridgeSdk from '@aws-sdk/client-eventbridge';
import * as securityHubSdk from '@aws-sdk/client-securityhub';
import { NormalizedSchema } from '@smithy/core/schema';

type Json = Record<string, unknown>;
export type Service = 'ec2' | 'eks' | 'autoscaling' | 'securityhub' | 'eventbridge';

const CLIENT_EXPORTS: Record<Service, Record<string, unknown>> = {
  ec2: ec2Sdk,
  eks: eksSdk,
  autoscaling: autoScalingSdk,
  securityhub: securityHubSdk,
  eventbridge: eventBridgeSdk,
};

// Smithy's timestamp schema sentinels (@smithy/types): which wire format a timestamp takes.
const TIMESTAMP_DATE_TIME = 5;
const TIMESTAMP_HTTP_DATE = 6;
const TIMESTAMP_EPOCH_SECONDS = 7;

/** The SDK's schema for a shape of a service, e.g. `('ec2', 'Instance')` → `Instance$`. */
export function shapeSchema(service: Service, shapeName: string): NormalizedSchema {
  const schema = CLIENT_EXPORTS[service][`${shapeName}$`];
  if (!schema) throw new Error(`@aws-sdk/client-${service} has no schema ${shapeName}$`);
  return NormalizedSchema.of(schema as never);
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : value instanceof Date ? 'Date' : typeof value);

function wrongShape(where: string, schema: NormalizedSchema, value: unknown): Error {
  return new Error(`${where}: ${kindOf(value)} ${JSON.stringify(value)?.slice(0, 80)} does not fit the SDK's shape ${schema.getName() ?? ''} (${schemaKind(schema)})`);
}

function schemaKind(schema: NormalizedSchema): string {
  if (schema.isStructSchema()) return 'structure';
  if (schema.isListSchema()) return 'list';
  if (schema.isMapSchema()) return 'map';
  if (schema.isTimestampSchema()) return 'timestamp';
  if (schema.isBooleanSchema()) return 'boolean';
  if (schema.isNumericSchema()) return 'number';
  if (schema.isStringSchema()) return 'string';
  if (schema.isDocumentSchema()) return 'document';
  return 'unsupported';
}

/** A structure's members by name; throws naming the path when `value` has one the shape lacks. */
function structEntries(where: string, schema: NormalizedSchema, value: unknown): Array<[string, unknown, NormalizedSchema]> {
  if (!isObject(value)) throw wrongShape(where, schema, value);
  const members = new Map(schema.structIterator());
  return Object.entries(value).map(([key, member]) => {
    const memberSchema = members.get(key);
    if (!memberSchema) throw new Error(`${where}.${key}: the SDK's ${schema.getName()} has no member ${key} (it has ${[...members.keys()].join(', ')})`);
    return [key, member, memberSchema];
  });
}

/** A timestamp as the snapshot stores it (ISO text), checked. */
function timestampOf(where: string, schema: NormalizedSchema, value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw wrongShape(where, schema, value);
  return date;
}

/** Checks a scalar against its schema; returns it unchanged. */
function scalarOf(where: string, schema: NormalizedSchema, value: unknown): unknown {
  const fits = schema.isDocumentSchema()
    ? true
    : schema.isBooleanSchema()
      ? typeof value === 'boolean'
      : schema.isNumericSchema()
        ? typeof value === 'number'
        : schema.isStringSchema()
          ? typeof value === 'string'
          : false;
  if (!fits) throw wrongShape(where, schema, value);
  return value;
}

/**
 * Walks `value` along `schema`, rebuilding structures, lists and maps member by member; `leaf`
 * writes timestamps and scalars, `key` names a structure member.
 */
function rebuild(
  where: string,
  schema: NormalizedSchema,
  value: unknown,
  leaf: (where: string, schema: NormalizedSchema, value: unknown) => unknown,
  key: (name: string, member: NormalizedSchema) => string = (name) => name,
): unknown {
  if (schema.isDocumentSchema()) return value;
  if (schema.isStructSchema()) {
    return Object.fromEntries(structEntries(where, schema, value).map(([name, member, memberSchema]) => [key(name, memberSchema), rebuild(`${where}.${name}`, memberSchema, member, leaf, key)]));
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) throw wrongShape(where, schema, value);
    return value.map((item, i) => rebuild(`${where}[${i}]`, schema.getValueSchema(), item, leaf, key));
  }
  if (schema.isMapSchema()) {
    if (!isObject(value)) throw wrongShape(where, schema, value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebuild(`${where}.${k}`, schema.getValueSchema(), v, leaf, key)]));
  }
  return leaf(where, schema, value);
}

/** The value as the SDK returns it: the same members, timestamps as `Date`. */
export function sdkShaped<T = Json>(service: Service, shapeName: string, value: unknown): T {
  if (value === null || value === undefined) return value as T;
  return rebuild(shapeName, shapeSchema(service, shapeName), value, (where, schema, v) => (schema.isTimestampSchema() ? timestampOf(where, schema, v) : scalarOf(where, schema, v))) as T;
}

/** A timestamp in a wire format: the member's own format, else the protocol's default. */
function wireTimestamp(date: Date, schema: NormalizedSchema, protocolDefault: number): string | number {
  const format = schema.getSchema() as unknown as number;
  switch (format === TIMESTAMP_DATE_TIME || format === TIMESTAMP_HTTP_DATE || format === TIMESTAMP_EPOCH_SECONDS ? format : protocolDefault) {
    case TIMESTAMP_EPOCH_SECONDS:
      return date.getTime() / 1000;
    case TIMESTAMP_HTTP_DATE:
      return date.toUTCString();
    default:
      return date.toISOString();
  }
}

/** The value as EKS's REST-JSON wire carries it: members by their JSON names, timestamps as epoch seconds. */
export function eksWireJson(shapeName: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  return rebuild(
    shapeName,
    shapeSchema('eks', shapeName),
    value,
    (where, schema, v) => (schema.isTimestampSchema() ? wireTimestamp(timestampOf(where, schema, v), schema, TIMESTAMP_EPOCH_SECONDS) : scalarOf(where, schema, v)),
    (name, member) => member.getMergedTraits().jsonName ?? name,
  );
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The XML content of a value: members by their `xmlName`, list items in `<item>` (the list member's `xmlName`). */
function xmlOf(where: string, schema: NormalizedSchema, value: unknown): string {
  if (schema.isStructSchema()) {
    return structEntries(where, schema, value)
      .map(([name, member, memberSchema]) => {
        const tag = memberSchema.getMergedTraits().xmlName ?? name;
        return `<${tag}>${xmlOf(`${where}.${name}`, memberSchema, member)}</${tag}>`;
      })
      .join('');
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) throw wrongShape(where, schema, value);
    const itemSchema = schema.getValueSchema();
    const tag = itemSchema.getMergedTraits().xmlName ?? 'member';
    return value.map((item, i) => `<${tag}>${xmlOf(`${where}[${i}]`, itemSchema, item)}</${tag}>`).join('');
  }
  if (schema.isTimestampSchema()) return String(wireTimestamp(timestampOf(where, schema, value), schema, TIMESTAMP_DATE_TIME));
  // EC2's describe outputs carry no maps or documents; refuse rather than write something EC2 never sends.
  if (schema.isMapSchema() || schema.isDocumentSchema()) throw new Error(`${where}: ec2Xml does not write ${schemaKind(schema)} shapes`);
  return escapeXml(String(scalarOf(where, schema, value)));
}

/**
 * An Auto Scaling (awsQuery protocol) response body, e.g.
 * `autoScalingXml('DescribeAutoScalingGroups', 'AutoScalingGroupsType', { AutoScalingGroups: [...] })`:
 * the output shape's members wrapped in `<OperationResult>`, list items in `<member>`, as the service writes it.
 */
export const autoScalingXml = (operation: string, outputShape: string, output: Json): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><${operation}Result>${xmlOf(
    `${operation}Result`,
    shapeSchema('autoscaling', outputShape),
    output,
  )}</${operation}Result><ResponseMetadata><RequestId>5e7bd2c3-asg-example</RequestId></ResponseMetadata></${operation}Response>`;

/** An awsQuery error response body (Auto Scaling). */
export const queryErrorXml = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>5e7bd2c3-asg-error</RequestId></ErrorResponse>`;

/** An EC2 query-protocol response body, e.g. `ec2Xml('DescribeVpcs', { Vpcs: [...] })`. */
export const ec2Xml = (operation: string, output: Json): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>${xmlOf(`${operation}Result`, shapeSchema('ec2', `${operation}Result`), output)}</${operation}Response>`;

/** An EC2 error response body. */
export const ec2ErrorXml = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>`;
