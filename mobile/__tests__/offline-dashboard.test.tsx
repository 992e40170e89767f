/**
 * The dashboard opened offline on the last known state: every card shows what was last fetched,
 * including the data whose last refresh failed before the server went away (the latest
 * signals, the closed trades behind the P&L curve), and never claims "no closed trade" when
 * the kept trades hold one.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react-native';

import DashboardScreen, { pnlCurve } from '@/app/(tabs)/index';
import { i18n } from '@/i18n';
import type { Schemas } from '@/services/api';
import { ApiError } from '@/services/errors';
import { clearSnapshot, readSnapshot, restoreSnapshot, saveSnapshot } from '@/services/snapshot';
import { useSession } from '@/store/session';

/** Nothing listens on the discard port: every request fails as with the server down. */
const DOWN = 'http://127.0.0.1:9';
const OWNER = { server: DOWN, username: 'alice', role: 'trader' };
const MARKET = { exchange: 'binance', pair: 'BTC/USDT', timeframe: '1h' as const };

const TRADE: Schemas['TradePublic'] = {
  id: 7,
  bot: 'aggressive',
  pair: 'BTC/USDT',
  exchange: 'binance',
  side: 'buy',
  status: 'closed',
  quantity: '0.03247000',
  entry_price: '4842.38',
  exit_price: '4743.16',
  stop_loss: '4745.53',
  take_profit: '5326.62',
  fees: '0.31',
  pnl: '-3.53',
  pnl_percent: '-0.0205',
  confidence: '0.71',
  risk_reward_ratio: '2',
  exit_reason: 'stop_loss',
  opened_at: '2017-09-02T03:00:00Z',
  closed_at: '2017-09-02T05:00:00Z',
};

const PORTFOLIO: Schemas['PortfolioPublic'] = {
  bots: [],
  drawdown: { current: '0', maximum: '0.0112', peak_equity: '1000' },
  limits: {} as Schemas['PortfolioPublic']['limits'],
  live_trading_enabled: false,
  mode: 'paper',
  realised_today: '0',
  reallocations: [],
  total_capital: '996.47',
  total_equity: '996.47',
  total_realised_pnl: '-3.53',
  total_unrealised_pnl: '0',
};

const SIGNALS: Schemas['SignalsPublic'] = {
  ...MARKET,
  count: 1,
  data: [
    {
      bot: 'safe',
      strategy: 'conservative',
      action: 'hold',
      confidence: 0.2,
      score: 0.1,
      timestamp: '2017-09-02T05:00:00Z',
      source: 'engine',
      contributions: { rsi: 0.1 },
    },
  ],
};

// The chart is a DOM component (a WebView on native, which needs a dev server): drawn here as
// the number of points it was given, which is what this test is about.
jest.mock('@/components/EquityChart', () => {
  const { Text } = jest.requireActual('react-native');
  return {
    __esModule: true,
    default: ({ points }: { points: unknown[] }) => <Text testID="equity-chart">{points.length}</Text>,
  };
});

const newClient = () =>
  new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });

/** A refresh that fails as it does when the server has just gone: the data stays, status error. */
async function failRefresh(client: QueryClient, queryKey: unknown[]): Promise<void> {
  await client
    .fetchQuery({ queryKey, queryFn: () => Promise.reject(new ApiError(0, 'Failed to fetch')), staleTime: 0 })
    .catch(() => undefined);
  expect(client.getQueryState(queryKey)?.status).toBe('error');
}

describe('the offline dashboard', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('en');
  });

  afterEach(async () => {
    await clearSnapshot();
  });

  it('shows the kept signals and P&L curve, even those whose last refresh had failed', async () => {
    const online = newClient();
    const at = { updatedAt: Date.parse('2026-12-04T18:00:00Z') };
    online.setQueryData(['portfolio'], PORTFOLIO, at);
    online.setQueryData(['series', 'traded'], [MARKET], at);
    online.setQueryData(['indicators', 'signals', MARKET], SIGNALS, at);
    online.setQueryData(['trades', { limit: 10 }], { data: [TRADE], count: 1 }, at);
    online.setQueryData(['trades', { status: 'closed', limit: 500 }], { data: [TRADE], count: 1 }, at);
    // the server went away while these two were refreshing
    await failRefresh(online, ['indicators', 'signals', MARKET]);
    await failRefresh(online, ['trades', { status: 'closed', limit: 500 }]);
    await saveSnapshot(online, OWNER);

    const offline = newClient();
    restoreSnapshot(offline, (await readSnapshot(DOWN))!);
    useSession.setState({ server: DOWN, status: 'signedIn', user: { username: 'alice', role: 'trader' } });
    render(
      <QueryClientProvider client={offline}>
        <DashboardScreen />
      </QueryClientProvider>,
    );

    await waitFor(() => expect(screen.getByTestId('connection-banner')).toBeTruthy());
    expect(screen.getByTestId('signal-safe')).toBeTruthy();
    expect(screen.getByTestId('pnl-curve-total')).toHaveTextContent(/-3\.53/);
    expect(screen.getByTestId('equity-chart')).toHaveTextContent('2');
    expect(screen.queryByText(i18n.t('dashboard.equityEmpty'))).toBeNull();
  });
});

describe('the realised P&L curve', () => {
  it('starts at zero when the first trade opened, so one closed trade draws a line', () => {
    const { points, total } = pnlCurve([TRADE]);
    expect(total).toBe('-3.53000000');
    expect(points).toEqual([
      { time: Date.parse(TRADE.opened_at) / 1000, value: 0 },
      { time: Date.parse(TRADE.closed_at!) / 1000, value: -3.53 },
    ]);
  });

  it('has no point without a closed trade', () => {
    expect(pnlCurve([{ ...TRADE, status: 'open', closed_at: null, pnl: null }]).points).toEqual([]);
  });
});
