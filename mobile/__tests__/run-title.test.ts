/** A run's one-line title names its market: every pair of a multi-pair run is counted. */
import { runTitle } from '@/components/backtest/RunList';

function job(request: Record<string, unknown>, kind = 'portfolio') {
  return {
    id: 7,
    kind,
    name: null,
    request,
    status: 'succeeded',
    error: null,
    created_at: '2026-01-01T00:00:00Z',
    started_at: null,
    finished_at: null,
  };
}

describe('runTitle', () => {
  const portfolio = { safe_strategy: 'conservative', aggressive_strategy: 'aggressive', timeframe: '1h' };

  it('names the first pair and how many more of a multi-pair run', () => {
    const title = runTitle(job({ ...portfolio, pair: 'BTC/USDT', pairs: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] }));
    expect(title).toContain('BTC/USDT +2 1h');
  });

  it('names the one pair of a single-pair run', () => {
    const title = runTitle(job({ strategy: 'conservative', pair: 'ETH/USDT', timeframe: '4h' }, 'single'));
    expect(title).toBe('#7 conservative · ETH/USDT 4h');
    expect(runTitle(job({ ...portfolio, pair: 'BTC/USDT', pairs: ['BTC/USDT'] }))).toContain('· BTC/USDT 1h');
  });

  it("names a sweep's range of ratios and a single ratio as percentages, in the user's language", () => {
    const swept = { ...portfolio, pair: 'BTC/USDT', ratios: ['0.1', '0.3', '0.5'], swept: true };
    expect(runTitle(job(swept))).toBe('#7 conservative + aggressive · ↻ 10–50\u00a0% · BTC/USDT 1h');
    expect(runTitle(job({ ...portfolio, pair: 'BTC/USDT', ratios: ['0.25'] }), 'fr')).toBe('#7 conservative + aggressive · ↻ 25\u00a0% · BTC/USDT 1h');
    // an old stored request with the body's names only
    expect(runTitle(job({ ...portfolio, pair: 'BTC/USDT', reallocation: '0.3' }))).toContain('↻ 30\u00a0%');
  });
});
