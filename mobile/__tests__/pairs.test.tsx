/**
 * Pairs in Settings against a local server speaking the API: adding one, the server's
 * field error shown on its field, deactivating one (the list shows what the server says).
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react-native';

import { PairsEditor } from '@/components/settings/PairsEditor';
import { i18n } from '@/i18n';
import type { Schemas } from '@/services/api';
import { useSession } from '@/store/session';
import { startApi, type FakeApi } from '@/test-support/server';

describe('pairs editor', () => {
  let server: FakeApi;
  let pairs: Schemas['PairPublic'][];

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    pairs = [{ id: 1, exchange: 'binance', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', is_active: true }];
    server = await startApi({
      'GET /config/pairs': () => ({ status: 200, body: { data: pairs, count: pairs.length } }),
      'POST /config/pairs': ({ body }) => {
        const { exchange, symbol } = body as { exchange: string; symbol: string };
        if (!symbol.includes('/')) {
          return {
            status: 422,
            body: { detail: [{ loc: ['body', 'symbol'], msg: 'a pair is BASE/QUOTE', type: 'value_error' }] },
          };
        }
        const [base = '', quote = ''] = symbol.split('/');
        const added = { id: pairs.length + 1, exchange, symbol, base, quote, is_active: true };
        pairs = [...pairs, added];
        return { status: 201, body: added };
      },
      'PATCH /config/pairs/1': ({ body }) => {
        pairs = pairs.map((p) => (p.id === 1 ? { ...p, is_active: (body as { is_active: boolean }).is_active } : p));
        return { status: 200, body: pairs[0] };
      },
    });
    useSession.setState({ server: server.url, access: 'token', accessExpiresAt: Date.now() + 600_000, refresh: null });
  });

  afterEach(async () => {
    await server.close();
  });

  function renderEditor() {
    const client = new QueryClient({
      defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: 0, gcTime: Infinity } },
    });
    return render(
      <QueryClientProvider client={client}>
        <PairsEditor canEdit />
      </QueryClientProvider>,
    );
  }

  it('adds a pair, shows a field error, and deactivates a pair', async () => {
    renderEditor();
    expect(await screen.findByTestId('pair-BTC/USDT-state')).toHaveTextContent('Active');

    fireEvent.changeText(screen.getByTestId('pair-symbol'), 'ethusdt');
    fireEvent.press(screen.getByTestId('pair-add'));
    expect(await screen.findByTestId('pair-symbol-error')).toHaveTextContent('a pair is BASE/QUOTE');

    fireEvent.changeText(screen.getByTestId('pair-symbol'), 'eth/usdt');
    fireEvent.press(screen.getByTestId('pair-add'));
    expect(await screen.findByTestId('pair-ETH/USDT')).toBeTruthy();
    const added = server.calls.filter((c) => c.method === 'POST').at(-1);
    expect(added?.body).toEqual({ exchange: 'binance', symbol: 'ETH/USDT' });

    fireEvent.press(screen.getByTestId('pair-BTC/USDT-toggle'));
    await waitFor(() => expect(screen.getByTestId('pair-BTC/USDT-state')).toHaveTextContent('Inactive'));
    expect(server.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
  });
});
