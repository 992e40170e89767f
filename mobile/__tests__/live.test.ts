/**
 * The /ws client against a real WebSocket server on 127.0.0.1 that speaks the backend's
 * protocol: ticket auth, subscribe, events, a dropped connection, reconnect with a fresh
 * ticket, resubscribe and a resync.
 */
import { WebSocketServer, WebSocket as NodeSocket } from 'ws';

import { LiveSocket, type LiveEvent, type LiveStatus, type SocketLike } from '@/services/live';

interface Server {
  url: string;
  wss: WebSocketServer;
  tickets: string[];
  subscriptions: string[][];
  resumes: unknown[];
  sockets: NodeSocket[];
}

async function startServer(): Promise<Server> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = wss.address() as { port: number };
  const server: Server = { url: `ws://127.0.0.1:${address.port}/ws`, wss, tickets: [], subscriptions: [], resumes: [], sockets: [] };
  wss.on('connection', (socket) => {
    server.sockets.push(socket);
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw));
      if (frame.type === 'auth') {
        if (server.tickets.includes(frame.ticket)) {
          socket.close(1008, 'ticket already used');
          return;
        }
        server.tickets.push(frame.ticket);
        socket.send(JSON.stringify({ type: 'welcome', user: 'tester', topics: ['alerts', 'trades'] }));
      } else if (frame.type === 'subscribe') {
        server.subscriptions.push(frame.topics);
        server.resumes.push(frame.resume);
        socket.send(JSON.stringify({ type: 'subscribed', topics: [...frame.topics].sort() }));
      } else if (frame.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
  });
  return server;
}

function alert(text: string, cursor = '1-0') {
  return {
    type: 'event',
    topic: 'alerts',
    cursor,
    data: { type: 'alert_raised', kind: 'test', text, severity: 'info', timestamp: '2026-01-01T00:00:00Z' },
  };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('LiveSocket', () => {
  let server: Server;
  let live: LiveSocket | null = null;

  beforeEach(async () => {
    server = await startServer();
  });

  afterEach(async () => {
    live?.stop();
    for (const socket of server.sockets) socket.terminate();
    await new Promise((resolve) => server.wss.close(resolve));
  });

  it('authenticates with a ticket, subscribes, delivers events, and resyncs after a reconnect', async () => {
    const events: LiveEvent[] = [];
    const statuses: LiveStatus['kind'][] = [];
    let resyncs = 0;
    let issued = 0;
    live = new LiveSocket({
      url: server.url,
      topics: ['alerts', 'trades'],
      ticket: async () => `ticket-${++issued}`,
      createSocket: (url) => new NodeSocket(url) as unknown as SocketLike,
      onEvent: (event) => events.push(event),
      onStatus: (status) => statuses.push(status.kind),
      onResync: () => {
        resyncs += 1;
      },
      maxDelayMs: 50,
      random: () => 0,
    });
    live.start();
    await until('live', () => statuses.includes('live'));
    expect(server.tickets).toEqual(['ticket-1']);
    expect(server.subscriptions).toEqual([['alerts', 'trades']]);
    expect(resyncs).toBe(0);

    server.sockets[0]!.send(JSON.stringify(alert('first', '1733312345678-3')));
    await until('the first event', () => events.length === 1);
    expect(events[0]).toMatchObject({ topic: 'alerts', data: { text: 'first' } });

    // the server drops the socket: a new ticket, the same topics again, and a resync
    server.sockets[0]!.terminate();
    await until('a reconnect', () => server.subscriptions.length === 2);
    await until('the resync', () => resyncs === 1);
    expect(server.tickets).toEqual(['ticket-1', 'ticket-2']);
    expect(server.subscriptions[1]).toEqual(['alerts', 'trades']);
    // the last cursor goes back so that the server replays what was missed
    expect(server.resumes).toEqual([undefined, { alerts: '1733312345678-3' }]);
    expect(statuses).toContain('waiting');

    server.sockets[1]!.send(JSON.stringify(alert('second')));
    await until('the second event', () => events.length === 2);
  });

  it('waits longer after each failed attempt, up to the maximum', async () => {
    const delays: number[] = [];
    let attempts = 0;
    live = new LiveSocket({
      url: server.url,
      topics: ['alerts'],
      ticket: async () => {
        attempts += 1;
        throw new Error('server unreachable');
      },
      createSocket: (url) => new NodeSocket(url) as unknown as SocketLike,
      onEvent: () => undefined,
      onStatus: (status) => {
        if (status.kind === 'waiting') delays.push(status.retryAt - Date.now());
      },
      onResync: () => undefined,
      maxDelayMs: 40,
      random: () => 0,
    });
    jest.useFakeTimers();
    try {
      live.start();
      for (let i = 0; i < 4; i += 1) {
        await Promise.resolve();
        await Promise.resolve();
        jest.advanceTimersByTime(1000 * 2 ** i);
      }
      await Promise.resolve();
    } finally {
      jest.useRealTimers();
    }
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(delays[0]).toBeLessThanOrEqual(40);
    expect(Math.max(...delays)).toBeLessThanOrEqual(40);
  });

  it('stops for good when asked', async () => {
    const statuses: LiveStatus['kind'][] = [];
    live = new LiveSocket({
      url: server.url,
      topics: ['alerts'],
      ticket: async () => 't',
      createSocket: (url) => new NodeSocket(url) as unknown as SocketLike,
      onEvent: () => undefined,
      onStatus: (status) => statuses.push(status.kind),
      onResync: () => undefined,
    });
    live.start();
    await until('live', () => statuses.includes('live'));
    live.stop();
    live = null;
    await new Promise((r) => setTimeout(r, 100));
    expect(statuses.at(-1)).toBe('closed');
    expect(server.tickets).toHaveLength(1);
  });
});
