/**
 * A bot's trade history (issue 11: 5,000 trades must scroll smoothly): each trade is formatted
 * once, in the query's select, not in the row's render. Re-rendering the screen (here: the theme
 * changes, every mounted row draws again) formats nothing, and a new page formats only its own
 * trades. The screen runs under expo-router against a local server speaking the API.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, renderRouter, screen, waitFor } from 'expo-router/testing-library';

import BotDetailScreen from '@/app/bot/[id]';
import { DARK, LIGHT } from '@/hooks/useTheme';
import { i18n } from '@/i18n';
import * as decimal from '@/lib/decimal';
import type { Schemas } from '@/services/api';
import { usePreferences } from '@/store/preferences';
import { signInTo, startApi, type FakeApi } from '@/test-support/server';

const TRADES = 120;

/** Trade `id` (1 = the newest); its quantity is unique, so its formatting can be counted. */
function trade(id: number): Schemas['TradePublic'] {
  const opened = Date.UTC(2024, 0, 1) + (TRADES - id) * 3_600_000;
  return {
    id,
    bot: 'safe',
    pair: 'BTC/USDT',
    exchange: 'binance',
    side: 'buy',
    status: 'closed',
    quantity: `0.${String(id).padStart(5, '0')}`,
    entry_price: '42000.5',
    exit_price: '42100.25',
    stop_loss: '41000',
    take_profit: '44000',
    fees: '0.1',
    pnl: id % 2 ? '1.25' : '-0.75',
    pnl_percent: '0.001',
    confidence: '0.7',
    risk_reward_ratio: '2',
    exit_reason: 'take_profit',
    opened_at: new Date(opened).toISOString(),
    closed_at: new Date(opened + 1_800_000).toISOString(),
  };
}

const QUANTITIES = new Set(Array.from({ length: TRADES }, (_, i) => trade(i + 1).quantity));

describe('trade history', () => {
  let server: FakeApi;
  let client: QueryClient;

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    usePreferences.setState({ theme: 'light' });
    server = await startApi({
      'GET /api/trades': ({ query }) => {
        if (query.get('status')) return { status: 200, body: { count: 0, data: [] } }; // the open positions card
        const offset = Number(query.get('offset') ?? 0);
        const limit = Number(query.get('limit') ?? 50);
        const ids = Array.from({ length: TRADES }, (_, i) => i + 1).slice(offset, offset + limit);
        return { status: 200, body: { count: TRADES, data: ids.map(trade) } };
      },
    });
    signInTo(server);
    client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity, staleTime: Infinity } } });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    client.clear();
    await server.close();
  });

  it('formats each trade once, not at each render of its row', async () => {
    const formatted = jest.spyOn(decimal, 'formatDecimal');
    /** how many times a trade's quantity was formatted (once per trade line) */
    const quantityFormats = () => formatted.mock.calls.filter(([value]) => QUANTITIES.has(value)).length;

    renderRouter(
      { 'bot/[id]': () => (
        <QueryClientProvider client={client}>
          <BotDetailScreen />
        </QueryClientProvider>
      ) },
      { initialUrl: '/bot/safe' },
    );
    await waitFor(() => expect(screen.getByTestId('trade-1')).toBeTruthy());
    expect(screen.getByText('Qty 0.000010 · Entry 42,000.50 · Exit 42,100.25 · SL 41,000.00 · TP 44,000.00')).toBeTruthy();
    expect(screen.getByTestId('trade-1-pnl')).toHaveTextContent('+1.25\u00a0USDT');
    expect(screen.getByText('1/5/24, 11:00 PM UTC → 1/5/24, 11:30 PM UTC')).toBeTruthy();
    expect(quantityFormats()).toBe(50); // the first page, each trade once

    // every mounted row draws again (a new palette): nothing is formatted again
    await act(async () => usePreferences.setState({ theme: 'dark' }));
    expect(screen.getByTestId('trade-1-pnl')).toHaveStyle({ color: DARK.gain });
    await act(async () => usePreferences.setState({ theme: 'light' }));
    expect(screen.getByTestId('trade-1-pnl')).toHaveStyle({ color: LIGHT.gain });
    expect(screen.getAllByTestId(/^trade-\d+$/).length).toBeGreaterThan(1);
    expect(quantityFormats()).toBe(50);

    // the next page: its 50 trades are formatted, the first page's are not formatted again
    await act(async () => {
      fireEvent(screen.getByTestId('bot-detail-list'), 'onEndReached');
    });
    await waitFor(() => expect(screen.getByText('100 of 120', { exact: false })).toBeTruthy());
    expect(quantityFormats()).toBe(100);

    // another language formats every line again, once
    await act(async () => {
      await i18n.changeLanguage('fr');
    });
    await waitFor(() => expect(quantityFormats()).toBe(200));
    expect(screen.getByTestId('trade-1-pnl')).toHaveTextContent('+1,25\u00a0USDT');
  });
});
