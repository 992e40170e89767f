/**
 * The portfolio form against a local server speaking the API: one ratio or a sweep, empty
 * fields left to the server, the server's validation error on its field, each launch sent once.
 * And the sweep helpers: ratios in order, reallocated amounts summed exactly from strings.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react-native';

import { PortfolioForm } from '@/components/backtest/PortfolioForm';
import { i18n } from '@/i18n';
import { defaultRun, reallocated, sweepPoints } from '@/lib/backtest';
import type { Schemas } from '@/services/api';
import { useSession } from '@/store/session';
import { startApi, type FakeApi } from '@/test-support/server';

const strategy = (name: string) => ({ name, description: name, target_bot: null, parameters: [] });

const BTC_1H: Schemas['SeriesPublic'] = { exchange: 'binance', pair: 'BTC/USDT', timeframe: '1h', first: '2018-01-01T00:00:00Z', last: '2025-12-31T23:00:00Z', count: 70000 };

describe('portfolio form', () => {
  let server: FakeApi;
  let seriesRows: Schemas['SeriesPublic'][] = [BTC_1H];

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    server = await startApi({
      'GET /api/strategies': () => ({
        status: 200,
        body: { data: ['conservative', 'aggressive', 'sma_cross'].map(strategy), count: 3 },
      }),
      'GET /api/market/series': () => ({
        status: 200,
        body: { data: seriesRows, count: seriesRows.length },
      }),
      'POST /api/backtest/portfolio': ({ body }) =>
        (body as { safe_capital?: string }).safe_capital === '0'
          ? { status: 422, body: { detail: [{ loc: ['body', 'safe_capital'], msg: 'Input should be greater than 0', type: 'greater_than' }] } }
          : { status: 202, body: { id: 9, name: null, kind: 'portfolio', status: 'queued', request: body, error: null, created_at: '2026-01-01T00:00:00Z', started_at: null, finished_at: null } },
    });
    useSession.setState({ server: server.url, access: 'token', accessExpiresAt: Date.now() + 600_000, refresh: null });
  });

  afterEach(async () => {
    await server.close();
    seriesRows = [BTC_1H];
  });

  it('adds other stored pairs of the same exchange and timeframe to the run', async () => {
    seriesRows = [
      BTC_1H,
      { ...BTC_1H, pair: 'ETH/USDT' },
      { ...BTC_1H, pair: 'SOL/USDT' },
      { ...BTC_1H, pair: 'ETH/USDT', timeframe: '4h' },
      { ...BTC_1H, exchange: 'archive', pair: 'XRP/USDT' },
    ];
    const launched = jest.fn();
    const client = new QueryClient({
      defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: 0, gcTime: Infinity } },
    });
    render(
      <QueryClientProvider client={client}>
        <PortfolioForm onLaunched={launched} />
      </QueryClientProvider>,
    );
    await screen.findByTestId('portfolio-pair-ETH/USDT');
    expect(screen.getByTestId('portfolio-pair-SOL/USDT')).toBeTruthy();
    expect(screen.queryByTestId('portfolio-pair-XRP/USDT')).toBeNull(); // another exchange
    expect(screen.queryByTestId('portfolio-pair-BTC/USDT')).toBeNull(); // the series itself

    fireEvent.press(screen.getByTestId('portfolio-pair-SOL/USDT'));
    fireEvent.press(screen.getByTestId('portfolio-pair-ETH/USDT'));
    fireEvent.press(screen.getByTestId('portfolio-pair-SOL/USDT')); // off again
    fireEvent.press(screen.getByTestId('portfolio-launch'));
    await waitFor(() => expect(launched).toHaveBeenCalledTimes(1));
    const [post] = server.calls.filter((c) => c.method === 'POST');
    expect(post?.body).toMatchObject({ exchange: 'binance', pair: 'BTC/USDT', timeframe: '1h', pairs: ['BTC/USDT', 'ETH/USDT'] });
  });

  it('launches one ratio or a sweep, leaving empty fields to the server', async () => {
    const launched = jest.fn();
    const client = new QueryClient({
      defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: 0, gcTime: Infinity } },
    });
    render(
      <QueryClientProvider client={client}>
        <PortfolioForm onLaunched={launched} />
      </QueryClientProvider>,
    );
    await screen.findByTestId('portfolio-safe-sma_cross');

    fireEvent.changeText(screen.getByTestId('portfolio-safe_capital'), '0');
    fireEvent.press(screen.getByTestId('portfolio-launch'));
    expect(await screen.findByTestId('portfolio-safe_capital-error')).toHaveTextContent(/greater than 0/);

    fireEvent.changeText(screen.getByTestId('portfolio-safe_capital'), '800');
    fireEvent.changeText(screen.getByTestId('portfolio-reallocation'), '0.25');
    fireEvent.press(screen.getByTestId('portfolio-safe-sma_cross'));
    fireEvent.press(screen.getByTestId('portfolio-launch'));
    await waitFor(() => expect(launched).toHaveBeenCalledTimes(1));
    fireEvent.press(screen.getByTestId('portfolio-streak-pause'));
    fireEvent.press(screen.getByTestId('portfolio-launch-sweep'));
    await waitFor(() => expect(launched).toHaveBeenCalledTimes(2));

    const posts = server.calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(3);
    const common = { exchange: 'binance', pair: 'BTC/USDT', timeframe: '1h', safe_strategy: 'sma_cross', aggressive_strategy: 'aggressive', fill: 'open', safe_capital: '800' };
    expect(posts[1]?.body).toEqual({ ...common, on_deep_streak: 'quarter', reallocation: '0.25' });
    // a sweep sends no single ratio; an empty range takes 0.1:0.5:0.1
    expect(posts[2]?.body).toEqual({ ...common, on_deep_streak: 'pause', sweep: '0.1:0.5:0.1' });
  });
});

describe('sweep helpers', () => {
  const run = (ratio: string, final: string, moved: string[], drawdown: number) =>
    ({
      reallocation_ratio: ratio,
      final_capital: final,
      max_drawdown: drawdown,
      reallocations: moved.map((amount, i) => ({ time: null, amount, profit: amount, aggressive_trade: i })),
    }) as unknown as Schemas['PortfolioRunPublic'];

  it('orders the points by ratio, shows 0.3 first, and sums what moved exactly', () => {
    const runs = [run('0.5', '1100.5', [], 0.2), run('0.1', '1200.25', ['0.1', '0.2'], 0.1), run('0.3', '1150', ['1e-8'], 0.15)];
    expect(sweepPoints(runs)).toEqual([
      { ratio: 0.1, finalCapital: 1200.25, maxDrawdown: 0.1 },
      { ratio: 0.3, finalCapital: 1150, maxDrawdown: 0.15 },
      { ratio: 0.5, finalCapital: 1100.5, maxDrawdown: 0.2 },
    ]);
    expect(defaultRun(runs)?.reallocation_ratio).toBe('0.3');
    expect(defaultRun(runs.slice(0, 2))?.reallocation_ratio).toBe('0.5');
    expect(reallocated(runs[1]!)).toBe('0.30000000'); // not 0.30000000000000004
    expect(reallocated(runs[0]!)).toBe('0.00000000');
  });
});
