/**
 * AWS objects in the exact forms the SDK and the wire carry them, from the service models in
 * shared/corpus/aws/aws-model.json (botocore): `sdkShaped` turns a snapshot's JSON (timestamps as
 * ISO strings) back into what AWS SDK v3 returns (timestamps as `Date`); `ec2Xml` writes an EC2
 * query-protocol response body (`locationName`s, `<item>` list members); `eksWireJson` writes EKS's
 * REST-JSON body (timestamps as epoch seconds).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './fixtures.js';

type Json = Record<string, any>;
interface Shape {
  type: string;
  members?: Record<string, { shape: string; locationName?: string }>;
  member?: { shape: string; locationName?: string };
  value?: { shape: string };
}
type Service = 'ec2' | 'eks';

const model = JSON.parse(readFileSync(path.resolve(ROOT, '../shared/corpus/aws/aws-model.json'), 'utf8')) as Record<Service, { shapes: Record<string, Shape> }>;

/** The value as the SDK returns it: the same members, timestamps as `Date`. */
export function sdkShaped<T = Json>(service: Service, shapeName: string, value: unknown): T {
  const shape = model[service].shapes[shapeName];
  if (value === null || value === undefined || !shape) return value as T;
  switch (shape.type) {
    case 'timestamp':
      return new Date(value as string) as T;
    case 'structure': {
      const out: Json = {};
      for (const [key, member] of Object.entries(value as Json)) {
        const target = shape.members?.[key];
        out[key] = target ? sdkShaped(service, target.shape, member) : member;
      }
      return out as T;
    }
    case 'list':
      return (value as unknown[]).map((item) => sdkShaped(service, shape.member!.shape, item)) as T;
    case 'map':
      return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, sdkShaped(service, shape.value!.shape, v)])) as T;
    default:
      return value as T;
  }
}

/** The value as EKS's REST-JSON wire carries it: timestamps as epoch seconds. */
export function eksWireJson(shapeName: string, value: unknown): unknown {
  const shape = model.eks.shapes[shapeName];
  if (value === null || value === undefined || !shape) return value;
  switch (shape.type) {
    case 'timestamp':
      return Date.parse(value as string) / 1000;
    case 'structure':
      return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, shape.members?.[k] ? eksWireJson(shape.members[k]!.shape, v) : v]));
    case 'list':
      return (value as unknown[]).map((item) => eksWireJson(shape.member!.shape, item));
    case 'map':
      return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, eksWireJson(shape.value!.shape, v)]));
    default:
      return value;
  }
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function xmlOf(shapeName: string, value: unknown): string {
  const shape = model.ec2.shapes[shapeName];
  if (!shape) return escapeXml(String(value));
  switch (shape.type) {
    case 'structure':
      return Object.entries(value as Json)
        .filter(([key]) => shape.members?.[key])
        .map(([key, member]) => {
          const target = shape.members![key]!;
          const tag = target.locationName ?? key;
          return `<${tag}>${xmlOf(target.shape, member)}</${tag}>`;
        })
        .join('');
    case 'list': {
      const tag = shape.member!.locationName ?? 'member';
      return (value as unknown[]).map((item) => `<${tag}>${xmlOf(shape.member!.shape, item)}</${tag}>`).join('');
    }
    case 'timestamp':
      return new Date(value as string).toISOString();
    default:
      return escapeXml(String(value));
  }
}

/** An EC2 query-protocol response body, e.g. `ec2Xml('DescribeVpcs', { Vpcs: [...] })`. */
export const ec2Xml = (operation: string, output: Json): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>${xmlOf(`${operation}Result`, output)}</${operation}Response>`;

/** An EC2 error response body. */
export const ec2ErrorXml = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>`;
