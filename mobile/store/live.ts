/** What the socket brought: its status, the latest signals, recent alerts and order updates. */
import { create } from 'zustand';

import type { LiveEvent, LiveStatus } from '@/services/live';
import type { AlertRaised, BacktestProgress, OrderUpdated, SignalGenerated } from '@/types/ws';

const KEEP = 50;

export interface LiveState {
  status: LiveStatus;
  lastEventAt: number | null;
  /** newest first */
  alerts: AlertRaised[];
  /** newest first */
  orders: OrderUpdated[];
  /** latest signal per pair, then per bot (a runtime trading several pairs signals on each) */
  signals: Record<string, Partial<Record<SignalGenerated['target_bot'], SignalGenerated>>>;
  /** latest close per pair, a decimal string */
  prices: Record<string, { close: string; at: string }>;
  /** latest progress per backtest job id */
  backtests: Record<number, BacktestProgress>;
  apply: (event: LiveEvent) => void;
  setStatus: (status: LiveStatus) => void;
  reset: () => void;
}

const empty = {
  status: { kind: 'closed' } as LiveStatus,
  lastEventAt: null,
  alerts: [],
  orders: [],
  signals: {},
  prices: {},
  backtests: {},
};

export const useLive = create<LiveState>((set) => ({
  ...empty,
  setStatus: (status) => set({ status }),
  reset: () => set(empty),
  apply: (event) =>
    set((state) => {
      const now = Date.now();
      switch (event.topic) {
        case 'alerts':
          return { lastEventAt: now, alerts: [event.data, ...state.alerts].slice(0, KEEP) };
        case 'trades':
          return { lastEventAt: now, orders: [event.data, ...state.orders].slice(0, KEEP) };
        case 'signals':
          if (event.data.type !== 'signal_generated') return { lastEventAt: now };
          return {
            lastEventAt: now,
            signals: {
              ...state.signals,
              [event.data.pair]: { ...state.signals[event.data.pair], [event.data.target_bot]: event.data },
            },
          };
        case 'prices': {
          const candles =
            event.data.type === 'candle_closed'
              ? [{ pair: event.data.pair, close: event.data.close, at: event.data.open_time }]
              : [];
          const prices = { ...state.prices };
          for (const c of candles) prices[c.pair] = { close: c.close, at: c.at };
          return { lastEventAt: now, prices };
        }
        case 'backtests':
          return {
            lastEventAt: now,
            backtests: { ...state.backtests, [event.data.job_id]: event.data },
          };
        default:
          return { lastEventAt: now };
      }
    }),
}));

/**
 * Whether the server is reachable now (the live socket is up): controls that act on bots are
 * enabled only then, and a command is never queued for later.
 */
export function useOnline(): boolean {
  return useLive((s) => s.status.kind === 'live');
}
