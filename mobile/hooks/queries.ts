/** Server state, one hook per resource (TanStack Query); the socket marks them stale. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, call, type Schemas } from '@/services/api';
import { useMarketChoice } from '@/store/market';

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

/** One market in one string (the picked market is kept so). */
export const marketKey = (m: Market): string => `${m.exchange} ${m.pair} ${m.timeframe}`;

/**
 * The markets the running bots trade: every stored series the runtimes' heartbeats name (once
 * each, by pair), so a file imported for backtests never takes over the dashboard. Only when no
 * runtime has said what it trades (none ever ran, or an older version): the stored series with
 * the newest candle.
 */
export function tradedMarkets(bots: Bots, series: SeriesList | null): Market[] {
  const named = new Map<string, Market>();
  for (const bot of bots.data) {
    for (const m of bot.runtime?.markets ?? []) {
      const market = { exchange: m.exchange, pair: m.pair, timeframe: m.timeframe as Market['timeframe'] };
      named.set(marketKey(market), market);
    }
  }
  if (named.size) return [...named.values()].sort((a, b) => a.pair.localeCompare(b.pair) || marketKey(a).localeCompare(marketKey(b)));
  const newest = [...(series?.data ?? [])].sort((a, b) => b.last.localeCompare(a.last))[0];
  return newest ? [{ exchange: newest.exchange, pair: newest.pair, timeframe: newest.timeframe }] : [];
}

/** The first of the traded markets (sorted by pair), or null when there is none. */
export function activeMarket(bots: Bots, series: SeriesList | null): Market | null {
  return tradedMarkets(bots, series)[0] ?? null;
}

const traded = {
  queryKey: ['series', 'traded'],
  queryFn: async (): Promise<Market[]> => {
    const bots = await call(api().GET('/api/bots'));
    if (bots.data.some((b) => b.runtime?.markets?.length)) return tradedMarkets(bots, null);
    return tradedMarkets(bots, await call(api().GET('/api/market/series')));
  },
  refetchInterval: 60_000,
};

export function useTradedMarkets() {
  return useQuery(traded);
}

/** The first traded market (the quote currency of the bots' money). */
export function useActiveMarket() {
  return useQuery({ ...traded, select: (markets: Market[]) => markets[0] ?? null });
}

/**
 * The market the trader looks at: the one picked (shared by the dashboard and a bot's detail)
 * while the runtime still trades it, else the first traded. ``markets`` are the traded ones.
 */
export function useShownMarket(): { markets: Market[]; market: Market | null | undefined; pick: (m: Market) => void; isLoading: boolean } {
  const query = useTradedMarkets();
  const picked = useMarketChoice((s) => s.picked);
  const pick = useMarketChoice((s) => s.pick);
  const markets = query.data ?? [];
  const market = query.data === undefined ? undefined : (markets.find((m) => marketKey(m) === picked) ?? markets[0] ?? null);
  return { markets, market, pick: (m) => pick(marketKey(m)), isLoading: query.isLoading };
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
