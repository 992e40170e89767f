/**
 * The ntfy topic form against a local server answering like the API: a refused server URL is
 * shown on its field, a saved topic shows (its token never), the test says what ntfy answered,
 * and removing it stops it. The Expo registration shows in the phone app only.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react-native';
import { Platform } from 'react-native';

import { PushPreferences } from '@/components/settings/PushPreferences';
import { i18n } from '@/i18n';
import type { Schemas } from '@/services/api';
import { useSession } from '@/store/session';
import { startApi, type FakeApi } from '@/test-support/server';

describe('ntfy topic', () => {
  let server: FakeApi;
  let push: Schemas['NotificationSettingsPublic'];

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    push = { push_enabled: true, web_push_available: false, language: 'en', events: [], ntfy: null, devices: [] };
    server = await startApi({
      'GET /api/notifications': () => ({ status: 200, body: push }),
      'PUT /api/notifications/ntfy': ({ body }) => {
        const { base_url, topic, token } = body as Schemas['NtfyPut'];
        if (!/^https?:\/\/[^/]+/.test(base_url)) {
          const detail = [{ loc: ['body', 'base_url'], msg: 'base_url must be an http:// or https:// URL', type: 'value_error' }];
          return { status: 422, body: { detail } };
        }
        push = { ...push, ntfy: { base_url, topic, token_set: !!token } };
        return { status: 200, body: push };
      },
      'DELETE /api/notifications/ntfy': () => {
        push = { ...push, ntfy: null };
        return { status: 204 };
      },
      'POST /api/notifications/test': () => ({
        status: 200,
        body: { count: 1, data: [{ channel: 'ntfy', device_id: null, status: 'failed', detail: 'HTTP 403: forbidden' }] },
      }),
    });
    useSession.setState({ server: server.url, access: 'token', accessExpiresAt: Date.now() + 600_000, refresh: null });
  });

  afterEach(async () => {
    await server.close();
  });

  it('is refused on its field, saved without showing the token, tested and removed', async () => {
    const client = new QueryClient({
      defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: 0, gcTime: Infinity } },
    });
    render(
      <QueryClientProvider client={client}>
        <PushPreferences />
      </QueryClientProvider>,
    );
    await screen.findByTestId('ntfy');
    // the phone app registers its Expo push token; the web build has Web Push instead
    expect(!!screen.queryByTestId('expo-push')).toBe(Platform.OS !== 'web');

    fireEvent.changeText(screen.getByTestId('ntfy-url'), 'ftp://ntfy.example');
    fireEvent.changeText(screen.getByTestId('ntfy-topic'), 'alice-trades');
    fireEvent.press(screen.getByTestId('ntfy-save'));
    expect(await screen.findByTestId('ntfy-url-error')).toHaveTextContent('base_url must be an http:// or https:// URL');

    fireEvent.changeText(screen.getByTestId('ntfy-url'), 'http://127.0.0.1:8090');
    fireEvent.changeText(screen.getByTestId('ntfy-token'), 'tk_secret_of_alice');
    fireEvent.press(screen.getByTestId('ntfy-save'));
    expect(await screen.findByTestId('ntfy-current')).toHaveTextContent(
      'Sending to alice-trades on http://127.0.0.1:8090 · access token set',
    );
    expect(screen.queryByTestId('ntfy-url-error')).toBeNull();
    expect(screen.getByTestId('ntfy-token').props.value).toBe(''); // the typed token leaves the screen
    const put = server.calls.filter((c) => c.method === 'PUT').at(-1);
    expect(put?.body).toEqual({ base_url: 'http://127.0.0.1:8090', topic: 'alice-trades', token: 'tk_secret_of_alice' });

    fireEvent.press(screen.getByTestId('ntfy-test'));
    expect(await screen.findByTestId('ntfy-test-result')).toHaveTextContent('ntfy refused the test: HTTP 403: forbidden');

    fireEvent.press(screen.getByTestId('ntfy-remove'));
    await waitFor(() => expect(server.calls.map((c) => `${c.method} ${c.path}`)).toContain('DELETE /api/notifications/ntfy'));
    expect(await screen.findByText(i18n.t('settings.ntfy.none'))).toBeTruthy();
    expect(screen.queryByTestId('ntfy-current')).toBeNull();
  });
});
