/** Test-only servers that ship no type declarations: the parts the tests use. */
declare module 's3rver' {
  import type { Server } from 'node:http';
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    /** The HTTP server `run()` started. */
    httpServer?: Server;
  }
}

declare module 'aws-ses-v2-local' {
  import type { Server } from 'node:http';
  const server: (options: { host?: string; port?: number }) => Promise<Server>;
  export default server;
}
