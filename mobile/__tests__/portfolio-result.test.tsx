/**
 * The one-pair and the multi-pair portfolio results share their columns and their curves card:
 * safe, aggressive and combined, in the portfolio's colours, at the 0.3 ratio first; the result
 * screen gives both one header (market, span, strategies) over their own view.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react-native';

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
    expect(screen.getByText(/^BTC\/USDT, ETH\/USDT · 1h · 2024-01-01 → 2024-06-01 · safe s1201 · aggressive s1202$/)).toBeTruthy();
    expect(screen.getByTestId('multipair-compare')).toBeTruthy();
  });

  it('heads a run of one pair the same way, over its view', async () => {
    await shown({ portfolio: [onePair('0.3', 1200)], multipair: null });
    expect(screen.getByText(/^BTC\/USDT · 1h · 2024-01-01 → 2024-06-01 · safe s1201 · aggressive s1202$/)).toBeTruthy();
    expect(screen.getByTestId('portfolio-compare')).toBeTruthy();
  });
});
