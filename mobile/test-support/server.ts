/** A local HTTP server on 127.0.0.1 that answers like the API (the routes a test gives it). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { useSession } from '@/store/session';

export type Handler = (request: {
  method: string;
  path: string;
  /** the query string's parameters */
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

export interface FakeApi {
  url: string;
  calls: { method: string; path: string; auth: string | undefined; body: unknown }[];
  close: () => Promise<void>;
}

export async function startApi(routes: Record<string, Handler>): Promise<FakeApi> {
  const calls: FakeApi['calls'] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = raw ? JSON.parse(raw) : undefined;
      const method = req.method ?? 'GET';
      calls.push({ method, path: url.pathname, auth: req.headers.authorization, body });
      const handler = routes[`${method} ${url.pathname}`];
      const answer = handler
        ? await handler({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body })
        : { status: 404, body: { detail: 'Not Found' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Signs the app in to the local server with an access token good for ten minutes. */
export function signInTo(api: FakeApi): void {
  useSession.setState({
    status: 'signedIn',
    server: api.url,
    access: 'token',
    accessExpiresAt: Date.now() + 600_000,
    refresh: 'refresh',
  });
}
