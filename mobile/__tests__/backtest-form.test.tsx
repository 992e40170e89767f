/**
 * The backtest form against a local server speaking the API: fields generated from the
 * strategy's schema, a bad value refused on its field before anything is sent, the server's
 * validation error shown on its field, and a launch sent once with only what changed.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react-native';

import { BacktestForm } from '@/components/backtest/BacktestForm';
import { i18n } from '@/i18n';
import { useSession } from '@/store/session';
import { startApi, type FakeApi } from '@/test-support/server';

const SMA = {
  name: 'sma_cross',
  description: 'Buy when the fast SMA crosses above the slow one.',
  target_bot: null,
  parameters: [
    { name: 'fast', kind: 'integer', default: 20, nullable: false, description: null, minimum: 1, maximum: 10000, exclusive_minimum: null, exclusive_maximum: null, choices: null, search: null },
    { name: 'slow', kind: 'integer', default: 50, nullable: false, description: null, minimum: 2, maximum: 10000, exclusive_minimum: null, exclusive_maximum: null, choices: null, search: null },
  ],
};

describe('backtest form', () => {
  let server: FakeApi;

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    server = await startApi({
      'GET /api/strategies': () => ({ status: 200, body: { data: [SMA], count: 1 } }),
      'GET /api/market/series': () => ({
        status: 200,
        body: {
          data: [{ exchange: 'binance', pair: 'BTC/USDT', timeframe: '1h', first: '2018-01-01T00:00:00Z', last: '2025-12-31T23:00:00Z', count: 70000 }],
          count: 1,
        },
      }),
      'POST /api/backtest': ({ body }) =>
        (body as { params: { slow?: number } }).params.slow === 9999
          ? { status: 422, body: { detail: [{ loc: ['body', 'params', 'slow'], msg: 'slow must be above fast', type: 'value_error' }] } }
          : { status: 202, body: { id: 7, name: null, kind: 'single', status: 'queued', request: body, error: null, created_at: '2026-01-01T00:00:00Z', started_at: null, finished_at: null } },
    });
    useSession.setState({ server: server.url, access: 'token', accessExpiresAt: Date.now() + 600_000, refresh: null });
  });

  afterEach(async () => {
    await server.close();
  });

  it('generates the fields, checks them, shows the server error on its field, launches once', async () => {
    const launched = jest.fn();
    const client = new QueryClient({
      defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: 0, gcTime: Infinity } },
    });
    render(
      <QueryClientProvider client={client}>
        <BacktestForm onLaunched={launched} />
      </QueryClientProvider>,
    );
    expect(await screen.findByTestId('param-fast')).toHaveDisplayValue('20');
    expect(screen.getByTestId('param-slow')).toHaveDisplayValue('50');

    fireEvent.changeText(screen.getByTestId('param-fast'), '0');
    fireEvent.press(screen.getByTestId('backtest-launch'));
    expect(await screen.findByTestId('param-fast-error')).toHaveTextContent('At least 1');
    expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    fireEvent.changeText(screen.getByTestId('param-fast'), '10');
    fireEvent.changeText(screen.getByTestId('param-slow'), '9999');
    fireEvent.press(screen.getByTestId('backtest-launch'));
    expect(await screen.findByTestId('param-slow-error')).toHaveTextContent('slow must be above fast');

    fireEvent.changeText(screen.getByTestId('param-slow'), '30');
    fireEvent.changeText(screen.getByTestId('backtest-fee'), '0.001');
    fireEvent.changeText(screen.getByTestId('backtest-start'), '2024-01-01');
    fireEvent.press(screen.getByTestId('backtest-launch'));
    await waitFor(() => expect(launched).toHaveBeenCalledTimes(1));
    const posts = server.calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1]?.body).toEqual({
      exchange: 'binance',
      pair: 'BTC/USDT',
      timeframe: '1h',
      strategy: 'sma_cross',
      params: { fast: 10, slow: 30 },
      initial_capital: '1000',
      start: '2024-01-01T00:00:00Z',
      fee: '0.001',
    });
  });
});

describe('backtest form in French', () => {
  const TREND = {
    name: 'trend',
    description: null,
    target_bot: null,
    parameters: [
      { name: 'agree', kind: 'boolean', default: false, nullable: false, description: null, minimum: null, maximum: null, exclusive_minimum: null, exclusive_maximum: null, choices: null, search: null },
    ],
  };
  let server: FakeApi;

  beforeEach(async () => {
    await i18n.changeLanguage('fr');
    server = await startApi({
      'GET /api/strategies': () => ({ status: 200, body: { data: [TREND], count: 1 } }),
      'GET /api/market/series': () => ({
        status: 200,
        body: { data: [{ exchange: 'binance', pair: 'BTC/USDT', timeframe: '1h', first: '2018-01-01T00:00:00Z', last: '2025-12-31T23:00:00Z', count: 72540 }], count: 1 },
      }),
    });
    useSession.setState({ server: server.url, access: 'token', accessExpiresAt: Date.now() + 600_000, refresh: null });
  });

  afterEach(async () => {
    await server.close();
    await i18n.changeLanguage('en');
  });

  it('writes a yes/no parameter and the stored candles in French', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
    render(
      <QueryClientProvider client={client}>
        <BacktestForm onLaunched={() => undefined} />
      </QueryClientProvider>,
    );
    expect(await screen.findByTestId('param-agree-true')).toHaveTextContent('oui');
    expect(screen.getByTestId('param-agree-false')).toHaveTextContent('non');
    expect(screen.getByText(/^72\s540 bougies stockées, 2018-01-01 → 2025-12-31$/)).toBeTruthy();
  });
});
