/** The dashboard's market: what the running bots trade, never a newer file imported for backtests. */
import { activeMarket } from '@/hooks/queries';
import type { Schemas } from '@/services/api';

const runtime = (markets: Schemas['RuntimeMarketPublic'][]) => ({
  started_at: '2026-12-04T20:00:00Z',
  seen_at: '2026-12-04T21:00:00Z',
  stopped_at: null,
  mode: 'paper',
  market: 'a replay of BTC/USDT 1h',
  markets,
});
const bot = (kind: 'safe' | 'aggressive', run: ReturnType<typeof runtime> | null) =>
  ({ kind, runtime: run }) as unknown as Schemas['BotPublic'];
const series = (exchange: string, pair: string, last: string): Schemas['SeriesPublic'] => ({
  exchange,
  pair,
  timeframe: '1h',
  first: '2018-01-01T00:00:00Z',
  last,
  count: 100,
});
// the replay is back in 2019; a file imported for backtests reaches 2025
const stored = {
  data: [series('replay', 'BTC/USDT', '2019-06-01T00:00:00Z'), series('archive', 'ETH/USDT', '2025-12-31T23:00:00Z')],
  count: 2,
};

describe('active market', () => {
  it("is the runtime's market even when an imported series has newer candles", () => {
    const bots = { data: [bot('safe', runtime([{ exchange: 'replay', pair: 'BTC/USDT', timeframe: '1h' }])), bot('aggressive', null)], count: 2 };
    expect(activeMarket(bots, stored)).toEqual({ exchange: 'replay', pair: 'BTC/USDT', timeframe: '1h' });
  });

  it('is the first of several markets the runtime trades', () => {
    const markets = [
      { exchange: 'binance', pair: 'BTC/USDT', timeframe: '4h' },
      { exchange: 'binance', pair: 'ETH/USDT', timeframe: '4h' },
    ];
    const bots = { data: [bot('safe', runtime(markets)), bot('aggressive', runtime(markets))], count: 2 };
    expect(activeMarket(bots, null)).toEqual({ exchange: 'binance', pair: 'BTC/USDT', timeframe: '4h' });
  });

  it('falls back to the newest stored series only when no runtime named its markets', () => {
    const bots = { data: [bot('safe', runtime([])), bot('aggressive', null)], count: 2 };
    expect(activeMarket(bots, stored)).toEqual({ exchange: 'archive', pair: 'ETH/USDT', timeframe: '1h' });
    expect(activeMarket({ data: [], count: 0 }, { data: [], count: 0 })).toBeNull();
  });
});
