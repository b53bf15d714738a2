/**
 * Every paginated read is bounded: at most `maxPages` pages, and a page token the service has
 * already returned stops the read instead of looping forever (a repeated EC2 `NextToken`, EKS
 * `nextToken` or Kubernetes `continue`). Either becomes a read error, which the collector records.
 */
import { ReadError } from './errors.js';

/** Pages read at most per list: 1,000 pages of 1,000 objects is far beyond any cluster. */
export const DEFAULT_MAX_PAGES = 1000;

/** Passes pages through, failing on a repeated token or past `maxPages`. */
export async function* boundedPages<T>(
  pages: AsyncIterable<T>,
  tokenOf: (page: T) => string | undefined | null,
  what: string,
  maxPages = DEFAULT_MAX_PAGES,
): AsyncGenerator<T> {
  const seen = new Set<string>();
  let count = 0;
  for await (const page of pages) {
    if (++count > maxPages) throw new ReadError('TooManyPages', `${what}: more than ${maxPages} pages; stopped reading`);
    yield page;
    const token = tokenOf(page);
    if (!token) continue;
    if (seen.has(token)) throw new ReadError('PaginationLoop', `${what}: page ${count} returned a page token the service had already returned; stopped reading`);
    seen.add(token);
  }
}

/** Every item of every page. */
export async function collectBounded<T, I>(pages: AsyncIterable<T>, tokenOf: (page: T) => string | undefined | null, items: (page: T) => I[] | undefined, what: string, maxPages?: number): Promise<I[]> {
  const out: I[] = [];
  for await (const page of boundedPages(pages, tokenOf, what, maxPages)) for (const item of items(page) ?? []) out.push(item);
  return out;
}
