/**
 * AWS as the fleet simulation sees it: an SDK `requestHandler` that answers EKS (REST-JSON) and EC2
 * (query protocol, XML) on the wire after a fixed latency, from each member's snapshot, and throttles
 * the way AWS does — a token bucket per account, region and API action. A request that finds its
 * bucket empty gets the service's own throttling answer (EC2 `RequestLimitExceeded`, HTTP 503; EKS
 * `ThrottlingException`, HTTP 429), so the SDK's real retry and adaptive rate limiting run.
 *
 * Bucket sizes: EC2's documented defaults for non-mutating actions — 100 tokens, refilled at 20 per
 * second, per action (Amazon EC2 Developer Guide, "Request throttling for the Amazon EC2 API").
 * EKS publishes no API rate limits; the simulation assumes 20 tokens refilled at 10 per second per
 * action, a conservative figure to be replaced when AWS documents one.
 */
import { Readable } from 'node:stream';
import type { Ec2Instance, Ec2RouteTable, Ec2SecurityGroup, Ec2Subnet, Ec2Vpc, Snapshot } from '../../src/snapshot/schema.js';
import { ec2ErrorXml, ec2Xml, eksWireJson } from '../../test/helpers/aws-shapes.js';

/** Each account's EC2 objects, by kind. */
interface Ec2Objects {
  vpcs: Ec2Vpc[];
  subnets: Ec2Subnet[];
  routeTables: Ec2RouteTable[];
  instances: Ec2Instance[];
  securityGroups: Ec2SecurityGroup[];
}

/** What the SDK hands its request handler (the fields the simulation reads). */
interface HttpRequest {
  hostname: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}
type HttpResponse = { statusCode: number; headers: Record<string, string>; body: Readable };

export interface BucketLimits {
  capacity: number;
  refillPerSecond: number;
}

export const EC2_LIMITS: BucketLimits = { capacity: 100, refillPerSecond: 20 };
export const EKS_LIMITS: BucketLimits = { capacity: 20, refillPerSecond: 10 };

class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly limits: BucketLimits,
    now: number,
  ) {
    this.tokens = limits.capacity;
    this.at = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.limits.capacity, this.tokens + ((now - this.at) / 1000) * this.limits.refillPerSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface WireStats {
  requests: number;
  throttled: number;
  byService: Record<'eks' | 'ec2', { requests: number; throttled: number }>;
}

/** The account a request is for: the simulation gives each account the access key `AKID<account id>`. */
const accountOf = (request: HttpRequest): string => /Credential=AKID(\d{12})\//.exec(String(request.headers['authorization'] ?? ''))?.[1] ?? 'unknown';
export const simulatedCredentials = (accountId: string) => ({ accessKeyId: `AKID${accountId}`, secretAccessKey: 'simulated' });

const respond = (statusCode: number, contentType: string, body: string): { response: HttpResponse } => ({
  response: { statusCode, headers: { 'content-type': contentType }, body: Readable.from([Buffer.from(body)]) },
});

/** `Filter.1.Value.2`-style members of a query-protocol list, e.g. `InstanceId.N`. */
const listParam = (params: URLSearchParams, name: string): string[] => [...params.entries()].filter(([key]) => new RegExp(`^${name}\\.\\d+$`).test(key)).map(([, v]) => v);

export class SimulatedAws {
  readonly stats: WireStats = { requests: 0, throttled: 0, byService: { eks: { requests: 0, throttled: 0 }, ec2: { requests: 0, throttled: 0 } } };
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly byAccount = new Map<string, Snapshot[]>();
  private readonly ec2ByAccount = new Map<string, Ec2Objects>();
  private readonly ec2Bodies = new Map<string, string | null>();

  /** `documents`: snapshot documents by `<account>/<cluster name>`. */
  constructor(
    private readonly documents: Map<string, Snapshot>,
    private readonly latencyMs: number,
  ) {
    for (const [key, document] of documents) {
      const account = key.slice(0, key.indexOf('/'));
      let list = this.byAccount.get(account);
      if (!list) this.byAccount.set(account, (list = []));
      list.push(document);
    }
  }

  /** The SDK client option: `createAwsClients({ requestHandler: aws.requestHandler })`. */
  readonly requestHandler = { handle: (request: HttpRequest) => this.handle(request) };

  private bucket(key: string, limits: BucketLimits): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(limits, Date.now())));
    return bucket;
  }

  private async handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const account = accountOf(request);
    const ec2 = request.hostname.startsWith('ec2.');
    const service = ec2 ? 'ec2' : 'eks';
    // EC2's query protocol sends its form as a string body.
    const params = ec2 ? new URLSearchParams(typeof request.body === 'string' ? request.body : '') : null;
    const action = ec2 ? params!.get('Action')! : `${request.method} ${request.path.replace(/\/clusters\/[^/]+/, '/clusters/{name}').replace(/(node-groups|addons)\/[^/]+$/, '$1/{name}')}`;
    this.stats.requests += 1;
    this.stats.byService[service].requests += 1;
    if (!this.bucket(`${account} ${request.hostname} ${action}`, ec2 ? EC2_LIMITS : EKS_LIMITS).take(Date.now())) {
      this.stats.throttled += 1;
      this.stats.byService[service].throttled += 1;
      return ec2
        ? respond(503, 'text/xml', ec2ErrorXml('RequestLimitExceeded', 'Request limit exceeded.'))
        : { response: { statusCode: 429, headers: { 'x-amzn-errortype': 'ThrottlingException', 'content-type': 'application/json' }, body: Readable.from([Buffer.from('{"message":"Rate exceeded"}')]) } };
    }
    return ec2 ? this.ec2(account, params!) : this.eks(account, request);
  }

  /** Each account's EC2 objects once (clusters built from one template share theirs), by kind. */
  private ec2Objects(account: string): Ec2Objects {
    let objects = this.ec2ByAccount.get(account);
    if (objects) return objects;
    const unique = <T extends Record<string, unknown>>(items: T[], id: keyof T) => [...new Map(items.map((item) => [item[id], item])).values()];
    const docs = this.byAccount.get(account) ?? [];
    objects = {
      vpcs: unique(docs.flatMap((d) => (d.aws.vpc ? [d.aws.vpc] : [])), 'VpcId'),
      subnets: unique(docs.flatMap((d) => d.aws.subnets ?? []), 'SubnetId'),
      routeTables: unique(docs.flatMap((d) => d.aws.routeTables ?? []), 'RouteTableId'),
      instances: unique(docs.flatMap((d) => d.aws.instances ?? []), 'InstanceId'),
      securityGroups: unique(docs.flatMap((d) => d.aws.securityGroups ?? []), 'GroupId'),
    };
    this.ec2ByAccount.set(account, objects);
    return objects;
  }

  private ec2(account: string, params: URLSearchParams): { response: HttpResponse } {
    const action = params.get('Action')!;
    // The same question gets the same answer: build each body once.
    const cacheKey = `${account} ${[...params.entries()].filter(([k]) => k !== 'NextToken').sort().join('&')}`;
    let body = this.ec2Bodies.get(cacheKey);
    if (body === undefined) {
      body = this.ec2Body(account, action, params);
      this.ec2Bodies.set(cacheKey, body);
    }
    return body === null ? respond(400, 'text/xml', ec2ErrorXml('InvalidAction', `the simulation does not serve ${action}`)) : respond(200, 'text/xml', body);
  }

  private ec2Body(account: string, action: string, params: URLSearchParams): string | null {
    const objects = this.ec2Objects(account);
    const filterValues = listParam(params, 'Filter\\.1\\.Value');
    const matches = (value: unknown) => typeof value === 'string' && filterValues.includes(value);
    const matching = <T extends Record<string, unknown>>(items: T[], ...fields: string[]) => (filterValues.length ? items.filter((item) => fields.some((f) => matches(item[f]))) : items);
    switch (action) {
      case 'DescribeVpcs':
        return ec2Xml(action, { Vpcs: matching(objects.vpcs, 'VpcId') });
      case 'DescribeSubnets':
        return ec2Xml(action, { Subnets: matching(objects.subnets, 'VpcId', 'SubnetId') });
      case 'DescribeRouteTables':
        return ec2Xml(action, { RouteTables: matching(objects.routeTables, 'VpcId') });
      case 'DescribeInstances': {
        const ids = new Set(listParam(params, 'InstanceId'));
        const instances = ids.size ? objects.instances.filter((i) => ids.has(i.InstanceId)) : objects.instances;
        return ec2Xml(action, { Reservations: instances.length ? [{ ReservationId: 'r-0simulated', OwnerId: account, Instances: instances }] : [] });
      }
      case 'DescribeSecurityGroups': {
        const ids = new Set(listParam(params, 'GroupId'));
        return ec2Xml(action, { SecurityGroups: ids.size ? objects.securityGroups.filter((g) => ids.has(g.GroupId)) : objects.securityGroups });
      }
      default:
        return null;
    }
  }

  private eks(account: string, request: HttpRequest): { response: HttpResponse } {
    const [, , name, sub, item] = request.path.split('/');
    const document = this.documents.get(`${account}/${decodeURIComponent(name ?? '')}`);
    const json = (body: unknown) => respond(200, 'application/json', JSON.stringify(body));
    if (!document) return { response: { statusCode: 404, headers: { 'x-amzn-errortype': 'ResourceNotFoundException', 'content-type': 'application/json' }, body: Readable.from([Buffer.from('{"message":"No cluster found"}')]) } };
    const aws = document.aws;
    if (!sub) return json({ cluster: eksWireJson('Cluster', aws.cluster) });
    if (sub === 'node-groups') {
      if (!item) return json({ nodegroups: (aws.nodegroups ?? []).map((n) => n.nodegroupName) });
      return json({ nodegroup: eksWireJson('Nodegroup', (aws.nodegroups ?? []).find((n) => n.nodegroupName === decodeURIComponent(item))) });
    }
    if (sub === 'addons') {
      if (!item) return json({ addons: (aws.addons ?? []).map((a) => a.addonName) });
      return json({ addon: eksWireJson('Addon', (aws.addons ?? []).find((a) => a.addonName === decodeURIComponent(item))) });
    }
    return respond(404, 'application/json', '{"message":"not served by the simulation"}');
  }
}
