/**
 * Settings forms against a local server speaking the API: an exchange key stored and shown
 * masked only (the typed secrets leave the screen), a notification event muted, a service
 * token shown once, and the live switch sending the typed phrase.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react-native';
import type { ReactNode } from 'react';

import { ExchangeKeys } from '@/components/settings/ExchangeKeys';
import { LiveTrading } from '@/components/settings/LiveTrading';
import { Notifications } from '@/components/settings/Notifications';
import { PushPreferences } from '@/components/settings/PushPreferences';
import { ServiceTokens } from '@/components/settings/ServiceTokens';
import { i18n } from '@/i18n';
import type { Schemas } from '@/services/api';
import { useSession } from '@/store/session';
import { startApi, type FakeApi } from '@/test-support/server';

function wrap(children: ReactNode) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: 0, gcTime: Infinity } },
  });
  return render(<QueryClientProvider client={client}>{children}</QueryClientProvider>);
}

describe('settings', () => {
  let server: FakeApi;
  let keys: Schemas['ApiKeyPublic'][];
  let notifications: Schemas['NotificationsPublic'];
  let live: Schemas['LiveTradingPublic'];
  let push: Schemas['NotificationSettingsPublic'];

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    keys = [];
    notifications = { enabled: true, min_severity: 'info', muted_kinds: [], discord_enabled: false, push_enabled: true, discord_webhook: null };
    push = {
      push_enabled: true,
      web_push_available: true,
      language: 'en',
      events: [{ event: 'trade_closed', description: 'a bot sold', channels: { webpush: true, expo: true, ntfy: true } }],
      ntfy: null,
      devices: [],
    };
    live = {
      enabled: false,
      effective: false,
      mode: 'paper',
      exchange: 'binance',
      changed_at: null,
      changed_by: null,
      blockers: ['no API key stored for binance'],
      confirmation_phrase: 'enable live trading on binance',
    };
    server = await startApi({
      'GET /config/exchange-keys': () => ({ status: 200, body: { data: keys, count: keys.length } }),
      'PUT /config/exchange-keys/binance': ({ body }) => {
        const key = (body as { api_key: string }).api_key;
        const stored = {
          exchange: 'binance',
          api_key_masked: `${key.slice(0, 4)}…${key.slice(-4)}`,
          has_passphrase: false,
          current_encryption: true,
          created_at: '2026-01-01T00:00:00Z',
          updated_at: '2026-01-01T00:00:00Z',
          updated_by: 'admin',
        };
        keys = [stored];
        return { status: 200, body: stored };
      },
      'GET /config/notifications': () => ({ status: 200, body: notifications }),
      'PATCH /config/notifications': ({ body }) => {
        notifications = { ...notifications, ...(body as object) };
        return { status: 200, body: notifications };
      },
      'GET /auth/tokens': () => ({ status: 200, body: { data: [], count: 0 } }),
      'POST /auth/tokens': ({ body }) => ({
        status: 201,
        body: {
          id: 1,
          user_id: 1,
          name: (body as { name: string }).name,
          scopes: (body as { scopes: string[] }).scopes,
          created_at: '2026-01-01T00:00:00Z',
          expires_at: null,
          last_used_at: null,
          revoked_at: null,
          token: 'ct_svc_the-one-time-secret',
        },
      }),
      'GET /api/notifications': () => ({ status: 200, body: push }),
      'PATCH /api/notifications/preferences': ({ body }) => {
        const events = (body as { events: Record<string, Record<string, boolean>> }).events;
        push = {
          ...push,
          events: push.events.map((e) => (events[e.event] ? { ...e, channels: { ...e.channels, ...events[e.event] } } : e)),
        };
        return { status: 200, body: push };
      },
      'GET /config/live-trading': () => ({ status: 200, body: live }),
      'PUT /config/live-trading': () => ({ status: 409, body: { detail: 'no API key stored for binance' } }),
    });
    useSession.setState({ server: server.url, access: 'token', accessExpiresAt: Date.now() + 600_000, refresh: null });
  });

  afterEach(async () => {
    await server.close();
  });

  it('stores an exchange key and shows it masked only', async () => {
    wrap(<ExchangeKeys />);
    expect(await screen.findByText('No key stored: trading stays on paper.')).toBeTruthy();
    fireEvent.changeText(screen.getByTestId('key-api-key'), 'ABCD1234567890WXYZ');
    fireEvent.changeText(screen.getByTestId('key-secret'), 'the-secret-value-123');
    fireEvent.press(screen.getByTestId('key-save'));
    expect(await screen.findByTestId('key-binance-masked')).toHaveTextContent('ABCD…WXYZ');
    expect(screen.getByTestId('key-api-key')).toHaveDisplayValue('');
    expect(screen.getByTestId('key-secret')).toHaveDisplayValue('');
    expect(screen.queryByText(/the-secret-value-123|ABCD1234567890WXYZ/)).toBeNull();
    expect(screen.getByTestId('key-binance-rotation')).toHaveTextContent('newest encryption key');
  });

  it('mutes one event and shows what the server saved', async () => {
    wrap(<Notifications canEdit />);
    fireEvent.press(await screen.findByTestId('notify-event-trade_opened-off'));
    await waitFor(() => expect(notifications.muted_kinds).toEqual(['trade_opened']));
    await waitFor(() =>
      expect(screen.getByTestId('notify-event-trade_opened-off')).toBeSelected(),
    );
    const patches = server.calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((c) => c.body)).toEqual([{ muted_kinds: ['trade_opened'] }]);
  });

  it('turns one channel of one event off', async () => {
    wrap(<PushPreferences />);
    fireEvent.press(await screen.findByTestId('push-trade_closed-expo'));
    await waitFor(() => expect(screen.getByTestId('push-trade_closed-expo')).not.toBeChecked());
    expect(screen.getByTestId('push-trade_closed-webpush')).toBeChecked();
    expect(server.calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([
      { events: { trade_closed: { expo: false } } },
    ]);
  });

  it('shows a new service token once', async () => {
    wrap(<ServiceTokens />);
    fireEvent.changeText(await screen.findByTestId('token-name'), 'discord-bot');
    fireEvent.press(screen.getByTestId('token-scope-control'));
    fireEvent.press(screen.getByTestId('token-create'));
    expect(await screen.findByTestId('token-shown-once')).toHaveTextContent('ct_svc_the-one-time-secret');
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'discord-bot', scopes: ['read', 'control'] });
  });

  it('turns live trading on only with the exact phrase and says why the server refused', async () => {
    wrap(<LiveTrading canEdit />);
    expect(await screen.findByTestId('live-blocker')).toHaveTextContent(/no API key stored for binance/);
    fireEvent.changeText(screen.getByTestId('live-phrase'), 'enable live trading');
    fireEvent.changeText(screen.getByTestId('live-password'), 'my-password-123');
    expect(screen.getByTestId('live-enable')).toBeDisabled();
    fireEvent.changeText(screen.getByTestId('live-phrase'), 'enable live trading on binance');
    fireEvent.press(screen.getByTestId('live-enable'));
    expect(await screen.findByTestId('live-error')).toHaveTextContent('no API key stored for binance');
    expect(server.calls.find((c) => c.method === 'PUT')?.body).toEqual({
      enabled: true,
      confirmation: 'enable live trading on binance',
      password: 'my-password-123',
    });
  });
});
