// A web crawler with structured concurrency (issue 18): one scope, a child
// per page found (children spawn their siblings as links turn up), at most
// `limit` requests at a time (a Semaphore), a time budget for the whole
// crawl (the scope's timeout), and the first broken page cancels the rest,
// aborting their requests through the scope's AbortSignal.
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Semaphore, scope, tasklet, wait } from '@stackless/tasklets';

/** A page of the test site: its links, how long it takes, or that it is broken or never answers. */
export interface SitePage {
  links: string[];
  delayMs?: number;
  broken?: boolean;
  hangs?: boolean;
}

export interface Site {
  base: string;
  /** Requests the server has open now (answered, aborted and closed ones are gone). */
  readonly open: number;
  close(): Promise<void>;
}

/** Serves `pages` (path -> page) on a local port; a page's body lists its links, one per line. */
export async function startSite(pages: Record<string, SitePage>): Promise<Site> {
  let open = 0;
  const server: Server = createServer((request, response) => {
    const page = pages[request.url ?? ''];
    open++;
    response.on('close', () => open--);
    if (page === undefined) return void response.writeHead(404).end();
    if (page.hangs) return;
    setTimeout(() => {
      if (page.broken) response.writeHead(500).end();
      else response.end(page.links.join('\n'));
    }, page.delayMs ?? 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    get open() {
      return open;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CrawlReport {
  /** Every page reached, with its links, in the order they were fetched. */
  pages: Map<string, string[]>;
  mostInFlight: number;
}

/**
 * Crawls from `base + start`, following every link once. Throws the first
 * failure (the others are cancelled) or TimeoutError after `budgetMs`.
 * Runs in a tasklet: main, which runs the event loop, only awaits.
 */
export function crawl(base: string, start: string, { limit = 4, budgetMs = 2000 } = {}): Promise<CrawlReport> {
  return new Promise((resolve, reject) => {
    tasklet(function crawler() {
      try {
        resolve(crawlInScope(base, start, limit, budgetMs));
      } catch (error) {
        reject(error);
      }
    })();
  });
}

/**
 * GET `url` with node:http, aborted by `signal`. Not fetch(): Node's fetch
 * parses HTTP in WebAssembly, and V8 aborts the process when it collects
 * WebAssembly code while greenlets are suspended (see docs/structured.md).
 */
function request(url: string, signal: AbortSignal): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { signal }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

function crawlInScope(base: string, start: string, limit: number, budgetMs: number): CrawlReport {
  const slots = new Semaphore(limit);
  const pages = new Map<string, string[]>();
  const seen = new Set<string>([start]);
  let inFlight = 0;
  let mostInFlight = 0;
  scope(
    (s) => {
      const visit = (path: string): void => {
        slots.acquire();
        let body: string;
        try {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          const response = wait(request(base + path, s.signal));
          if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status}`);
          body = response.text;
        } finally {
          inFlight--;
          slots.release();
        }
        const links = body === '' ? [] : body.split('\n');
        pages.set(path, links);
        for (const link of links) {
          if (seen.has(link)) continue;
          seen.add(link);
          s.spawn(visit, link); // a sibling, in the same scope
        }
      };
      s.spawn(visit, start);
    },
    { timeout: budgetMs },
  );
  return { pages, mostInFlight };
}
