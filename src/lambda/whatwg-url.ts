/**
 * Stands in for the `whatwg-url` package in Lambda bundles (serverless.yml `custom.esbuild.alias`).
 * node-fetch 2, under @kubernetes/client-node, prefers Node's own URL and imports whatwg-url only as
 * a fallback for old runtimes; without this its Unicode tables (tr46, ~265 KB) ride along unused.
 */
export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;
export default { URL, URLSearchParams };
