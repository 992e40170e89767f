/** Server state, one hook per resource (TanStack Query); the socket marks them stale. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, call, type Schemas } from '@/services/api';

export type BotKind = Schemas['BotKind'];
export type BotAction = 'start' | 'stop' | 'pause' | 'resume';
export interface Market {
  exchange: string;
  pair: string;
  timeframe: Schemas['Timeframe'];
}

export function usePortfolio() {
  return useQuery({
    queryKey: ['portfolio'],
    queryFn: () => call(api().GET('/api/portfolio')),
  });
}

export function useBots() {
  return useQuery({ queryKey: ['bots'], queryFn: () => call(api().GET('/api/bots')) });
}

export interface TradeQuery {
  bot?: BotKind;
  status?: Schemas['TradeStatus'];
  limit?: number;
  offset?: number;
}

export function useTrades(query: TradeQuery) {
  return useQuery({
    queryKey: ['trades', query],
    queryFn: () => call(api().GET('/api/trades', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useReallocations(limit = 50) {
  return useQuery({
    queryKey: ['reallocations', limit],
    queryFn: () => call(api().GET('/api/portfolio/reallocations', { params: { query: { limit } } })),
  });
}

type Bots = Schemas['BotsPublic'];
type SeriesList = Schemas['SeriesListPublic'];

/**
 * The dashboard's market: the first stored series the running bots trade (the runtime's
 * heartbeat names them, sorted by pair), so a file imported for backtests never takes over the
 * signals. Only when no runtime has said what it trades (none ever ran, or an older version):
 * the stored series with the newest candle.
 */
export function activeMarket(bots: Bots, series: SeriesList | null): Market | null {
  const traded = bots.data.find((b) => b.runtime?.markets?.length)?.runtime?.markets ?? [];
  const first = traded[0];
  if (first) return { exchange: first.exchange, pair: first.pair, timeframe: first.timeframe as Market['timeframe'] };
  const newest = [...(series?.data ?? [])].sort((a, b) => b.last.localeCompare(a.last))[0];
  return newest ? { exchange: newest.exchange, pair: newest.pair, timeframe: newest.timeframe } : null;
}

export function useActiveMarket() {
  return useQuery({
    queryKey: ['series'],
    queryFn: async (): Promise<Market | null> => {
      const bots = await call(api().GET('/api/bots'));
      if (bots.data.some((b) => b.runtime?.markets?.length)) return activeMarket(bots, null);
      return activeMarket(bots, await call(api().GET('/api/market/series')));
    },
    refetchInterval: 60_000,
  });
}

export function useSignals(market: Market | null | undefined) {
  return useQuery({
    queryKey: ['indicators', 'signals', market],
    enabled: !!market,
    queryFn: () => call(api().GET('/api/market/signals', { params: { query: market! } })),
  });
}

export function useIndicators(market: Market | null | undefined) {
  return useQuery({
    queryKey: ['indicators', 'readings', market],
    enabled: !!market,
    queryFn: () => call(api().GET('/api/market/indicators', { params: { query: market! } })),
  });
}

export function useChart(market: Market | null | undefined, bot?: BotKind, limit = 300) {
  return useQuery({
    queryKey: ['chart', market, bot, limit],
    enabled: !!market,
    queryFn: () =>
      call(api().GET('/api/market/chart', { params: { query: { ...market!, bot, limit } } })),
    placeholderData: keepPreviousData,
  });
}

export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: () => call(api().GET('/auth/me')) });
}

export function usePairs() {
  return useQuery({ queryKey: ['pairs'], queryFn: () => call(api().GET('/config/pairs')) });
}

export function useLiveTrading() {
  return useQuery({
    queryKey: ['live-trading'],
    queryFn: () => call(api().GET('/config/live-trading')),
  });
}

export function useNotifications() {
  return useQuery({
    queryKey: ['notifications'],
    queryFn: () => call(api().GET('/config/notifications')),
  });
}

const COMMANDS = {
  start: '/api/bots/{bot}/start',
  stop: '/api/bots/{bot}/stop',
  pause: '/api/bots/{bot}/pause',
  resume: '/api/bots/{bot}/resume',
} as const;

/** A bot command: sent once (never retried automatically); the bots list refreshes after. */
export function useBotCommand() {
  const client = useQueryClient();
  return useMutation({
    retry: 0,
    mutationFn: ({ bot, action }: { bot: BotKind; action: BotAction }) =>
      call(api().POST(COMMANDS[action], { params: { path: { bot } } })),
    onSuccess: (updated) => {
      client.setQueryData(['bots'], (old: Schemas['BotsPublic'] | undefined) =>
        old ? { ...old, data: old.data.map((b) => (b.kind === updated.kind ? updated : b)) } : old,
      );
      void client.invalidateQueries({ queryKey: ['portfolio'] });
    },
  });
}

export type SettingsChange = Schemas['BotSettingsUpdate'];

export function useBotSettings() {
  const client = useQueryClient();
  return useMutation({
    retry: 0,
    mutationFn: ({ bot, change }: { bot: BotKind; change: SettingsChange }) =>
      call(api().PATCH('/api/bots/{bot}/settings', { params: { path: { bot } }, body: change })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['bots'] });
      void client.invalidateQueries({ queryKey: ['portfolio'] });
    },
  });
}
