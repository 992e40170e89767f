/**
 * The /ws client: a single-use ticket, subscribe, keep-alive, reconnect with backoff,
 * resubscribe with each topic's last cursor (the server replays what was published while the
 * socket was away), and a resync (REST refetch) after each reconnect so that the screens'
 * figures are current even when the server no longer retained everything.
 *
 * Framework-free so that it is tested against a real WebSocket server: the socket factory,
 * the ticket source and the timers are injected.
 */
import type {
  AlertsEvent,
  BacktestsEvent,
  BotStatusEvent,
  ErrorFrame,
  IndicatorsEvent,
  PongFrame,
  PortfolioEvent,
  PricesEvent,
  ReplayedFrame,
  SignalsEvent,
  SubscribedFrame,
  TradesEvent,
  WelcomeFrame,
} from '@/types/ws';

export type LiveEvent =
  | PricesEvent
  | IndicatorsEvent
  | SignalsEvent
  | TradesEvent
  | AlertsEvent
  | BotStatusEvent
  | PortfolioEvent
  | BacktestsEvent;
export type ServerFrame =
  | WelcomeFrame
  | SubscribedFrame
  | ReplayedFrame
  | PongFrame
  | ErrorFrame
  | LiveEvent;
export type Topic = LiveEvent['topic'];

export type LiveStatus =
  | { kind: 'connecting' }
  | { kind: 'live'; since: number }
  | { kind: 'waiting'; retryAt: number; reason: string }
  | { kind: 'closed' };

/** The part of the WebSocket API used here (browser, React Native and `ws` all have it). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface LiveOptions {
  url: string;
  topics: Topic[];
  /** A fresh ticket from POST /auth/ws-ticket; throws when the session is gone. */
  ticket: () => Promise<string>;
  createSocket: (url: string) => SocketLike;
  onEvent: (event: LiveEvent) => void;
  onStatus: (status: LiveStatus) => void;
  /** Called after every reconnect (not the first connect): refetch what REST serves. */
  onResync: () => void;
  /** Backoff: 1 s, 2 s, 4 s ... up to this (plus up to 20 % jitter). */
  maxDelayMs?: number;
  pingEveryMs?: number;
  random?: () => number;
}

const OPEN = 1;

export class LiveSocket {
  private socket: SocketLike | null = null;
  private attempts = 0;
  private connectedOnce = false;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private awaitingPong = false;
  /** topic -> cursor of the last event handled, sent back on reconnect */
  private readonly cursors: Partial<Record<Topic, string>> = {};

  constructor(private readonly options: LiveOptions) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, 'bye');
    }
    this.options.onStatus({ kind: 'closed' });
  }

  /** Reconnect now (the user pressed retry, or the app came back to the foreground). */
  reconnectNow(): void {
    if (this.stopped) return;
    this.attempts = 0;
    this.clearTimers();
    if (this.socket) {
      const old = this.socket;
      this.socket = null;
      old.onclose = null;
      old.close(1000, 'reconnect');
    }
    void this.connect();
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }

  private async connect(): Promise<void> {
    this.options.onStatus({ kind: 'connecting' });
    let ticket: string;
    try {
      ticket = await this.options.ticket();
    } catch (failure) {
      this.retry(failure instanceof Error ? failure.message : String(failure));
      return;
    }
    if (this.stopped) return;
    const socket = this.options.createSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', ticket }));
    socket.onmessage = (message) => this.receive(socket, message.data);
    socket.onerror = () => undefined; // onclose follows and says why
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      this.retry(event.reason || `closed (${event.code})`);
    };
  }

  private receive(socket: SocketLike, data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'welcome': {
        const resume = Object.keys(this.cursors).length ? { ...this.cursors } : undefined;
        socket.send(JSON.stringify({ type: 'subscribe', topics: this.options.topics, resume }));
        return;
      }
      case 'replayed':
        return;
      case 'subscribed': {
        const again = this.connectedOnce;
        this.connectedOnce = true;
        this.attempts = 0;
        this.startPing(socket);
        this.options.onStatus({ kind: 'live', since: Date.now() });
        if (again) this.options.onResync();
        return;
      }
      case 'pong':
        this.awaitingPong = false;
        return;
      case 'error':
        return;
      case 'event':
        this.cursors[frame.topic] = frame.cursor;
        this.options.onEvent(frame);
        return;
    }
  }

  private startPing(socket: SocketLike): void {
    const every = this.options.pingEveryMs ?? 25_000;
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      if (socket.readyState !== OPEN) return;
      if (this.awaitingPong) {
        socket.close(4000, 'no answer to ping');
        return;
      }
      this.awaitingPong = true;
      socket.send(JSON.stringify({ type: 'ping' }));
    }, every);
  }

  private retry(reason: string): void {
    if (this.stopped) return;
    const max = this.options.maxDelayMs ?? 30_000;
    const base = Math.min(max, 1000 * 2 ** this.attempts);
    const delay = base + base * 0.2 * (this.options.random ?? Math.random)();
    this.attempts += 1;
    this.options.onStatus({ kind: 'waiting', retryAt: Date.now() + delay, reason });
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}
