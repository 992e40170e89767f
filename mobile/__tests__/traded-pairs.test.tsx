/**
 * A runtime trading several pairs: the dashboard shows every pair (each bot's open positions,
 * realised P&L and trades there, money formatted from the API's strings), and the signals of
 * the pair the trader picks, fetched for that pair, never another pair's live signal.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react-native';

import DashboardScreen from '@/app/(tabs)/index';
import { PairBreakdown, breakdownPairs } from '@/components/PairBreakdown';
import { tradedMarkets } from '@/hooks/queries';
import { i18n } from '@/i18n';
import type { Schemas } from '@/services/api';
import { useLive } from '@/store/live';
import { useMarketChoice } from '@/store/market';
import { signInTo, startApi, type FakeApi } from '@/test-support/server';

jest.mock('@/components/EquityChart', () => {
  const { Text } = jest.requireActual('react-native');
  return { __esModule: true, default: () => <Text>chart</Text> };
});

const MARKETS = [
  { exchange: 'binance', pair: 'ETH/USDT', timeframe: '1h' },
  { exchange: 'binance', pair: 'BTC/USDT', timeframe: '1h' },
];

const runtime = (markets: Schemas['RuntimeMarketPublic'][]) => ({
  started_at: '2026-12-04T20:00:00Z',
  seen_at: '2026-12-04T21:00:00Z',
  stopped_at: null,
  mode: 'paper',
  market: 'binance BTC/USDT, ETH/USDT 1h',
  markets,
});

const bots = (markets: Schemas['RuntimeMarketPublic'][]) =>
  ({
    data: [
      { kind: 'safe', runtime: runtime(markets) },
      { kind: 'aggressive', runtime: runtime([...markets].reverse()) },
    ],
    count: 2,
  }) as unknown as Schemas['BotsPublic'];

const pairFigures = (pair: string, over: Partial<Schemas['PairPortfolioPublic']> = {}): Schemas['PairPortfolioPublic'] => ({
  pair,
  closed_trades: 0,
  open_trades: 0,
  open_notional: '0',
  open_quantity: '0',
  realised_pnl: '0',
  fees: '0',
  win_rate: null,
  ...over,
});

const bot = (kind: 'safe' | 'aggressive', pairs: Schemas['PairPortfolioPublic'][]) =>
  ({
    bot: kind,
    name: kind,
    status: 'running',
    capital: '500',
    realised_pnl: '0',
    unrealised_pnl: '0',
    unpriced_positions: 0,
    fees: '0',
    closed_trades: 0,
    open_trades: 0,
    win_rate: null,
    reallocated_in: '0',
    reallocated_out: '0',
    risk: { base_risk_ratio: '0.01', current_risk_ratio: '0.01', losing_streak: 0, realised_today: '0' },
    pairs,
  }) as unknown as Schemas['BotPortfolioPublic'];

const BOTS = [
  bot('safe', [
    pairFigures('BTC/USDT', { closed_trades: 4, win_rate: 0.75, realised_pnl: '1234.5', open_trades: 1, open_notional: '250.125' }),
    pairFigures('ETH/USDT', { closed_trades: 2, win_rate: 0, realised_pnl: '-3.53' }),
  ]),
  bot('aggressive', [pairFigures('BTC/USDT', { closed_trades: 1, win_rate: 1, realised_pnl: '0.10000001' })]),
];

describe('traded markets', () => {
  it('are every market the runtimes name, once each, by pair', () => {
    expect(tradedMarkets(bots(MARKETS), null).map((m) => m.pair)).toEqual(['BTC/USDT', 'ETH/USDT']);
  });

  it('list the traded pairs first, then any other a bot has traded', () => {
    const others = [bot('safe', [pairFigures('SOL/USDT'), pairFigures('BTC/USDT')])];
    expect(breakdownPairs(['BTC/USDT', 'ETH/USDT'], others)).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
  });
});

describe('the pair breakdown', () => {
  beforeEach(async () => {
    await i18n.changeLanguage('en');
  });

  it("shows each bot's figures on each pair from the API's strings, and picks a pair", () => {
    const onPick = jest.fn();
    render(
      <PairBreakdown
        pairs={['BTC/USDT', 'ETH/USDT']}
        bots={BOTS}
        prices={{ 'ETH/USDT': { close: '3456.78' } }}
        picked="BTC/USDT"
        onPick={onPick}
      />,
    );
    expect(screen.getByTestId('pair-BTC/USDT-safe-pnl')).toHaveTextContent('+1,234.50 USDT');
    expect(screen.getByTestId('pair-BTC/USDT-safe-open')).toHaveTextContent('1 · 250.13 USDT');
    expect(screen.getByTestId('pair-BTC/USDT-aggressive-pnl')).toHaveTextContent('+0.10 USDT');
    expect(screen.getByTestId('pair-ETH/USDT-safe-pnl')).toHaveTextContent('-3.53 USDT');
    const eth = within(screen.getByTestId('pair-ETH/USDT'));
    expect(eth.getByText('3,456.78 USDT')).toBeTruthy();
    expect(eth.getByText(i18n.t('pairs.noTrade'))).toBeTruthy(); // the aggressive bot, not there yet
    expect(within(screen.getByTestId('pair-BTC/USDT')).getByText(/75 % won/)).toBeTruthy();
    fireEvent.press(screen.getByTestId('pair-ETH/USDT'));
    expect(onPick).toHaveBeenCalledWith('ETH/USDT');
  });

  it('writes French money and words', async () => {
    await i18n.changeLanguage('fr');
    render(<PairBreakdown pairs={['BTC/USDT']} bots={BOTS} prices={{}} picked={null} />);
    expect(screen.getByTestId('pair-BTC/USDT-safe-pnl')).toHaveTextContent('+1\u202f234,50 USDT');
    expect(screen.getAllByText(/Ouvertes/).length).toBe(2);
  });
});

describe('the dashboard of a runtime trading two pairs', () => {
  let server: FakeApi;
  const signalsAsked: string[] = [];

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    signalsAsked.length = 0;
    useMarketChoice.setState({ picked: null });
    useLive.getState().reset();
    const portfolio = {
      bots: BOTS,
      drawdown: { current: '0', maximum: '0', peak_equity: '1000' },
      limits: {},
      live_trading_enabled: false,
      mode: 'paper',
      realised_today: '0',
      reallocations: [],
      total_capital: '1000',
      total_equity: '1000',
      total_realised_pnl: '0',
      total_unrealised_pnl: '0',
    };
    server = await startApi({
      'GET /api/bots': () => ({ status: 200, body: bots(MARKETS) }),
      'GET /api/portfolio': () => ({ status: 200, body: portfolio }),
      'GET /api/trades': () => ({ status: 200, body: { data: [], count: 0 } }),
      'GET /api/market/signals': ({ query }) => {
        const pair = query.get('pair') ?? '';
        signalsAsked.push(pair);
        const strategy = pair === 'ETH/USDT' ? 'eth-strategy' : 'btc-strategy';
        return {
          status: 200,
          body: {
            exchange: 'binance',
            pair,
            timeframe: '1h',
            count: 1,
            data: [{ bot: 'safe', strategy, action: 'hold', confidence: 0.2, score: 0.1, timestamp: '2026-12-04T20:00:00Z', source: 'engine', contributions: { rsi: 0.1 } }],
          },
        };
      },
    });
    signInTo(server);
  });

  afterEach(async () => {
    await server.close();
  });

  it("shows every pair and the picked pair's signals", async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <DashboardScreen />
      </QueryClientProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('pair-ETH/USDT')).toBeTruthy());
    expect(screen.getByTestId('pair-BTC/USDT')).toBeTruthy();
    // the first pair by name is shown first
    await waitFor(() => expect(screen.getByText(/btc-strategy/)).toBeTruthy());
    // a live signal of the other pair does not take the card
    act(() => {
      useLive.getState().apply({
        topic: 'signals',
        data: { type: 'signal_generated', pair: 'ETH/USDT', target_bot: 'safe', strategy: 'eth-live', action: 'buy', confidence: 0.9, score: 0.8, timestamp: '2026-12-04T21:00:00Z', contributions: {} },
      } as never);
    });
    expect(screen.queryByText(/eth-live/)).toBeNull();
    fireEvent.press(screen.getByTestId('market-picker-binance ETH/USDT 1h'));
    await waitFor(() => expect(screen.getByText(/eth-live/)).toBeTruthy());
    expect(screen.getByTestId('market-picker-binance ETH/USDT 1h')).toBeSelected();
    await waitFor(() => expect(signalsAsked).toContain('ETH/USDT'));
    // picking from the pair's box does the same
    fireEvent.press(screen.getByTestId('pair-BTC/USDT'));
    await waitFor(() => expect(screen.getByText(/btc-strategy/)).toBeTruthy());
    client.clear();
  });
});
