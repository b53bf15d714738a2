/**
 * A loopback HTTP proxy that forwards to a server (s3rver here) and fails the requests it is told
 * to: with an S3 error (500 InternalError, 503 SlowDown, 403 AccessDenied), by dropping the
 * connection, or by never answering. Faults match on method and path and may fire a limited
 * number of times, so a test can stage "every PUT of this report fails" or "the first PUT is
 * throttled once" against a real S3 protocol server.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** `<bucket>/<key>`, decoded (path-style addressing). */
  path: string;
  /** The status the client got (the fault's or the server's); undefined while in flight or dropped. */
  status?: number;
  /** Set when a fault answered it. */
  fault?: FaultKind;
}

export type FaultKind = 'InternalError' | 'SlowDown' | 'AccessDenied' | 'reset' | 'hang';

export interface Fault {
  match: (request: ProxiedRequest) => boolean;
  kind: FaultKind;
  /** How many matching requests fail (default: all). */
  times?: number;
}

export interface FaultProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Adds a fault; it applies to requests from now on. */
  inject(fault: Fault): void;
  /** Removes every fault. */
  clear(): void;
  close(): Promise<void>;
}

const S3_ERRORS: Record<'InternalError' | 'SlowDown' | 'AccessDenied', { status: number; message: string }> = {
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },
  AccessDenied: { status: 403, message: 'Access Denied' },
};

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  let faults: Array<Fault & { fired: number }> = [];
  const hung = new Set<ServerResponse>();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const entry: ProxiedRequest = { method: req.method ?? 'GET', path: decodeURIComponent(new URL(req.url ?? '/', target).pathname.slice(1)) };
    requests.push(entry);
    const fault = faults.find((f) => (f.times === undefined || f.fired < f.times) && f.match(entry));
    if (fault) {
      fault.fired++;
      entry.fault = fault.kind;
      // Read the body first, as a server would, so the client is not cut off mid-upload unless asked to be.
      req.resume();
      req.on('end', () => {
        if (fault.kind === 'reset') return req.socket.destroy();
        if (fault.kind === 'hang') return void hung.add(res);
        const { status, message } = S3_ERRORS[fault.kind];
        entry.status = status;
        res.writeHead(status, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.kind}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`);
      });
      return;
    }
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    inject: (fault) => void faults.push({ ...fault, fired: 0 }),
    clear: () => {
      faults = [];
    },
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
