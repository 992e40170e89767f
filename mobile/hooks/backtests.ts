/** Backtests: strategies' schemas, stored series, runs (kept per user), launch, rename, delete. */
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, call, type Schemas } from '@/services/api';

export function useStrategies() {
  return useQuery({
    queryKey: ['strategies'],
    queryFn: () => call(api().GET('/api/strategies')),
    staleTime: 10 * 60_000,
  });
}

export function useSeries() {
  // not ['series', 'traded']: the markets the bots trade (hooks/queries useTradedMarkets)
  return useQuery({ queryKey: ['series', 'all'], queryFn: () => call(api().GET('/api/market/series')) });
}

export function useBacktests() {
  return useQuery({
    queryKey: ['backtests', 'list'],
    queryFn: () => call(api().GET('/api/backtest', { params: { query: { limit: 100 } } })),
  });
}

export function useBacktestResult(id: number | null, enabled = true) {
  return useQuery({
    queryKey: ['backtests', 'result', id],
    enabled: id !== null && enabled,
    queryFn: () =>
      call(api().GET('/api/backtest/{job_id}/result', { params: { path: { job_id: id! } } })),
    staleTime: Infinity, // a finished run's report never changes
  });
}

/** Several finished runs' results at once (the compare view), combined once all are in. */
export function useBacktestResults(ids: number[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: ['backtests', 'result', id],
      queryFn: () =>
        call(api().GET('/api/backtest/{job_id}/result', { params: { path: { job_id: id } } })),
      staleTime: Infinity,
    })),
    combine: (results) => ({
      data: results.every((r) => r.data) ? results.map((r) => r.data!) : null,
      error: results.find((r) => r.error)?.error ?? null,
    }),
  });
}

export function useCandles(
  market: { exchange: string; pair: string; timeframe: Schemas['Timeframe'] } | null,
  end: string | null,
  limit = 2000,
) {
  return useQuery({
    queryKey: ['candles', market, end, limit],
    enabled: !!market,
    queryFn: () =>
      call(
        api().GET('/api/market/candles', {
          params: { query: { ...market!, ...(end ? { end } : {}), limit } },
        }),
      ),
    staleTime: Infinity,
  });
}

export function useLaunchBacktest() {
  const client = useQueryClient();
  return useMutation({
    retry: 0,
    mutationFn: (body: Schemas['BacktestCreate']) => call(api().POST('/api/backtest', { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['backtests', 'list'] }),
  });
}

export function useLaunchPortfolio() {
  const client = useQueryClient();
  return useMutation({
    retry: 0,
    mutationFn: (body: Schemas['PortfolioBacktestCreate']) => call(api().POST('/api/backtest/portfolio', { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['backtests', 'list'] }),
  });
}

export function useRenameBacktest() {
  const client = useQueryClient();
  return useMutation({
    retry: 0,
    mutationFn: ({ id, name }: { id: number; name: string }) =>
      call(api().PATCH('/api/backtest/{job_id}', { params: { path: { job_id: id } }, body: { name } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['backtests', 'list'] }),
  });
}

export function useDeleteBacktest() {
  const client = useQueryClient();
  return useMutation({
    retry: 0,
    mutationFn: (id: number) =>
      call(api().DELETE('/api/backtest/{job_id}', { params: { path: { job_id: id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['backtests', 'list'] }),
  });
}
