/**
 * The one-pair and the multi-pair portfolio results share their columns and their curves card:
 * safe, aggressive and combined, in the portfolio's colours, at the 0.3 ratio first; the result
 * screen gives both one header (market, span, strategies) over their own view.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, within } from '@testing-library/react-native';

import BacktestResultScreen from '@/app/backtest/[id]';
import type { Curve } from '@/components/BacktestCurves';
import { MultiPairResult } from '@/components/backtest/MultiPairResult';
import { PORTFOLIO_COLORS } from '@/components/backtest/PortfolioCurves';
import { PortfolioResult } from '@/components/backtest/PortfolioResult';
import { i18n } from '@/i18n';
import type { Schemas } from '@/services/api';
import { useSession } from '@/store/session';
import { startApi } from '@/test-support/server';

// a DOM component (a web view): each curve as a line of text instead
jest.mock('@/components/BacktestCurves', () => {
  const { Text: Line } = jest.requireActual('react-native');
  return {
    __esModule: true,
    default: ({ curves }: { curves: Curve[] }) =>
      curves.map((c) => <Line key={c.label} testID={`curve-${c.label}`}>{`${c.color} ${c.equity.at(-1)?.value}`}</Line>),
  };
});
jest.mock('@/components/SweepChart', () => ({ __esModule: true, default: () => null }));
jest.mock('expo-router', () => ({ useLocalSearchParams: () => ({ id: '7' }) }));

const report = (final: number) => ({
  initial_capital: '1000',
  final_capital: String(final),
  total_trades: 3,
  strategy: `s${final}`,
  pair: 'BTC/USDT',
  timeframe: '1h',
  start: '2024-01-01T00:00:00Z',
  end: '2024-06-01T00:00:00Z',
  equity_curve: [
    { time: '2026-01-01T00:00:00Z', equity: '1000' },
    { time: '2026-01-02T00:00:00Z', equity: String(final) },
  ],
});
const share = { total_trades: 2, win_rate: 0.5, net_pnl: '12.5', fees_paid: '0.3', refused_entries: 0 };

const onePair = (ratio: string, base: number) =>
  ({
    ...report(base),
    reallocation_ratio: ratio,
    reallocations: [],
    risk_changes: [],
    buy_and_hold: report(900),
    bots: { safe: report(base + 1), aggressive: report(base + 2) },
  }) as unknown as Schemas['PortfolioRunPublic'];

const twoPairs = (ratio: string, base: number) =>
  ({
    ...report(base),
    reallocation_ratio: ratio,
    pairs: ['BTC/USDT', 'ETH/USDT'],
    buy_and_hold: { 'BTC/USDT': report(900), 'ETH/USDT': report(950) },
    bots: {
      safe: { ...report(base + 1), pairs: { 'BTC/USDT': share, 'ETH/USDT': share } },
      aggressive: { ...report(base + 2), pairs: { 'BTC/USDT': share } },
    },
  }) as unknown as Schemas['MultiPairRunPublic'];

function expectCurves(card: string, base: number) {
  const curves = within(screen.getByTestId(card));
  expect(curves.getByTestId('curve-Safe')).toHaveTextContent(`${PORTFOLIO_COLORS.safe} ${base + 1}`);
  expect(curves.getByTestId('curve-Aggressive')).toHaveTextContent(`${PORTFOLIO_COLORS.aggressive} ${base + 2}`);
  expect(curves.getByTestId('curve-Combined')).toHaveTextContent(`${PORTFOLIO_COLORS.combined} ${base}`);
}

describe('the portfolio results', () => {
  beforeEach(async () => {
    await i18n.changeLanguage('en');
  });

  it("one pair: each bot's and the combined curve of the 0.3 ratio, and their metrics", () => {
    render(<PortfolioResult runs={[onePair('0.1', 1100), onePair('0.3', 1200)]} />);
    expectCurves('portfolio-curves', 1200);
    expect(screen.getByTestId('portfolio-metrics-final_capital-2')).toHaveTextContent('1,200.00');
    expect(screen.getByTestId('portfolio-metrics-final_capital-3')).toHaveTextContent('900.00');
  });

  it("several pairs: the same columns and curves, then each pair's buy & hold", () => {
    render(<MultiPairResult runs={[twoPairs('0.1', 1100), twoPairs('0.3', 1200)]} />);
    expectCurves('multipair-curves', 1200);
    expect(screen.getByTestId('multipair-metrics-final_capital-0')).toHaveTextContent('1,201.00');
    expect(screen.getByTestId('multipair-metrics-final_capital-4')).toHaveTextContent('950.00');
    expect(screen.getByText(`${i18n.t('portfolio.buyAndHold')} ETH/USDT`)).toBeTruthy();
    // no report has candles here: no row of dashes for them
    expect(screen.queryByTestId('multipair-metrics-candles-0')).toBeNull();
    expect(screen.getByTestId('multipair-metrics-total_trades-0')).toHaveTextContent('3');
  });
});

describe('the portfolio result screen', () => {
  const job = { id: 7, name: null, kind: 'portfolio', status: 'succeeded', request: {}, error: null, created_at: '2026-01-01T00:00:00Z', started_at: null, finished_at: null };

  async function shown(result: object) {
    const server = await startApi({ 'GET /api/backtest/7/result': () => ({ status: 200, body: { job, results: [], ...result } }) });
    useSession.setState({ server: server.url, access: 'token', accessExpiresAt: Date.now() + 600_000, refresh: null });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
    render(
      <QueryClientProvider client={client}>
        <BacktestResultScreen />
      </QueryClientProvider>,
    );
    await screen.findByTestId('backtest-result');
    await server.close();
  }

  beforeEach(async () => {
    await i18n.changeLanguage('en');
  });

  it("heads a run of several pairs with its pairs, span and bots' strategies, over its view", async () => {
    await shown({ portfolio: null, multipair: [twoPairs('0.3', 1200)] });
    expect(screen.getByText(/^BTC\/USDT, ETH\/USDT · 1h · 2024-01-01 → 2024-06-01$/)).toBeTruthy();
    expect(screen.getByTestId('strategy-safe')).toHaveTextContent(/^Safe · s1201/);
    expect(screen.getByTestId('strategy-aggressive')).toHaveTextContent(/^Aggressive · s1202/);
    expect(screen.getByTestId('multipair-compare')).toBeTruthy();
  });

  it('heads a run of one pair the same way, over its view', async () => {
    await shown({ portfolio: [onePair('0.3', 1200)], multipair: null });
    expect(screen.getByText(/^BTC\/USDT · 1h · 2024-01-01 → 2024-06-01$/)).toBeTruthy();
    expect(screen.getByTestId('strategy-safe')).toHaveTextContent(/^Safe · s1201/);
    expect(screen.getByTestId('portfolio-compare')).toBeTruthy();
  });
});

describe('the result header', () => {
  const header = (runs: object) =>
    ({
      job: {
        id: 7,
        name: null,
        kind: 'portfolio',
        status: 'succeeded',
        error: null,
        created_at: '2026-01-01T00:00:00Z',
        started_at: null,
        finished_at: null,
        request: {
          exchange: 'archive',
          pair: 'BTC/USDT',
          timeframe: '1h',
          start: null,
          end: '2025-12-01T00:00:00+00:00',
          fee: '0.001',
          slippage: '0.0005',
          stop_loss: null,
          take_profit: '0.125',
          risk_ratio: null,
          stake: null,
          fill: 'open',
          safe_strategy: 'conservative',
          aggressive_strategy: 'aggressive',
          safe_capital: '700',
          aggressive_capital: '1234.5',
          ratios: ['0.1', '0.3', '0.5'],
          swept: true,
          on_deep_streak: 'quarter',
          pairs: ['BTC/USDT', 'ETH/USDT'],
        },
      },
      results: [],
      ...runs,
    });

  async function shown(body: object) {
    const server = await startApi({ 'GET /api/backtest/7/result': () => ({ status: 200, body }) });
    useSession.setState({ server: server.url, access: 'token', accessExpiresAt: Date.now() + 600_000, refresh: null });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
    render(
      <QueryClientProvider client={client}>
        <BacktestResultScreen />
      </QueryClientProvider>,
    );
    await screen.findByTestId('backtest-result');
    await server.close();
  }

  beforeEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('reads the request as labelled fields in French, with no raw JSON until asked for', async () => {
    await i18n.changeLanguage('fr');
    const run = twoPairs('0.3', 1200);
    run.bots.safe.strategy = "conservative(buy_threshold=0.3, sell_threshold=-0.1, max_choppiness=55.0, require_trend_agreement=True, trend_timeframe=None, note='a, b')";
    await shown(header({ multipair: [run], portfolio: null }));
    const field = (key: string) => screen.getByTestId(`request-${key}`);
    expect(field('exchange')).toHaveTextContent('archive');
    expect(field('pairs')).toHaveTextContent('BTC/USDT, ETH/USDT');
    expect(field('period')).toHaveTextContent('première bougie → 2025-12-01');
    expect(field('fee')).toHaveTextContent('0,1\u00a0%');
    expect(field('slippage')).toHaveTextContent('0,05\u00a0%');
    expect(field('stop_loss')).toHaveTextContent('réglage du bot');
    expect(field('take_profit')).toHaveTextContent('12,5\u00a0%');
    expect(field('stake')).toHaveTextContent('selon le risque');
    expect(field('safe_capital')).toHaveTextContent('700,00');
    expect(field('aggressive_capital')).toHaveTextContent('1\u202f234,50');
    expect(field('ratios')).toHaveTextContent('10\u00a0%, 30\u00a0%, 50\u00a0%');
    expect(field('on_deep_streak')).toHaveTextContent('Risque ÷ 4');
    expect(field('fill')).toHaveTextContent('ouverture de la bougie suivante');
    const safe = within(screen.getByTestId('strategy-safe'));
    expect(screen.getByTestId('strategy-safe')).toHaveTextContent(/^Sécuritaire · conservative/);
    expect(safe.getByTestId('strategy-safe-buy_threshold')).toHaveTextContent('buy_threshold 0,3');
    expect(safe.getByTestId('strategy-safe-sell_threshold')).toHaveTextContent('sell_threshold -0,1');
    expect(safe.getByTestId('strategy-safe-max_choppiness')).toHaveTextContent('max_choppiness 55');
    expect(safe.getByTestId('strategy-safe-require_trend_agreement')).toHaveTextContent('require_trend_agreement oui');
    expect(safe.getByTestId('strategy-safe-trend_timeframe')).toHaveTextContent('trend_timeframe —');
    expect(safe.getByTestId('strategy-safe-note')).toHaveTextContent('note a, b');
    // French puts a space before a colon
    expect(screen.getByTestId('multipair-pair-BTC/USDT')).toHaveTextContent(/Rendement achat-conservation\s: —/);
    // nothing of Python's or JSON's spelling on the screen
    expect(screen.queryByText(/\{"exchange"|True|None|=/)).toBeNull();
    expect(screen.queryByTestId('request-raw')).toBeNull();
    fireEvent.press(screen.getByTestId('request-raw-toggle'));
    const raw = JSON.parse(screen.getByTestId('request-raw').props.children as string);
    expect(raw).toEqual(header({}).job.request);
  });

  it("shows the protection each bot of a one-pair run really used", async () => {
    const run = onePair('0.3', 1200);
    (run.bots.safe as { settings: object }).settings = { fee: '0.001', slippage: '0.0005', fill: 'open', stop_loss: '0.02', take_profit: '0.04', risk_ratio: '0.01', stake: null, amount_step: '0', min_notional: '0' };
    await shown(header({ portfolio: [run], multipair: null }));
    expect(screen.getByTestId('strategy-safe-used')).toHaveTextContent('Protection used: Stop-loss 2\u00a0% · Take-profit 4\u00a0% · Risk per trade 1\u00a0%');
    expect(screen.getByTestId('request-ratios')).toHaveTextContent('10\u00a0%, 30\u00a0%, 50\u00a0%');
  });
});
