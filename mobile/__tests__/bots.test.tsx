/**
 * Bot controls and quick settings against a local server speaking the API: a command only
 * after confirmation and sent once, the server's validation error shown on its field.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react-native';
import type { ReactNode } from 'react';

import { BotControls } from '@/components/BotControls';
import { BotSettingsForm, changeFrom } from '@/components/BotSettingsForm';
import { i18n } from '@/i18n';
import type { Schemas } from '@/services/api';
import { useLive } from '@/store/live';
import { signInTo, startApi, type FakeApi } from '@/test-support/server';

const BOT: Schemas['BotPublic'] = {
  id: 1,
  kind: 'safe',
  name: 'Safe',
  status: 'running',
  requested: null,
  capital: '700.00000000',
  risk_level: 'low',
  current_risk_ratio: '0.0050',
  config: {
    strategy: 'conservative',
    params: { buy_threshold: 0.3 },
    risk_ratio: '0.005',
    stop_loss: '0.02',
    take_profit: '0.04',
  },
  updated_at: '2026-01-01T00:00:00Z',
  driven: true,
  driven_since: '2026-01-01T00:00:00Z',
  runtime: null,
  pairs: null,
};

function wrap(children: ReactNode) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: 0, gcTime: Infinity } },
  });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

describe('bot controls', () => {
  let server: FakeApi;
  let pauseStatus = 200;

  beforeEach(async () => {
    await i18n.changeLanguage('en');
    useLive.setState({ status: { kind: 'live', since: Date.now() } });
    pauseStatus = 200;
    server = await startApi({
      'POST /api/bots/safe/pause': () =>
        pauseStatus === 200
          ? { status: 200, body: { ...BOT, status: 'paused' } }
          : { status: pauseStatus, body: { detail: 'the runtime is not running' } },
      'PATCH /api/bots/safe/settings': ({ body }) =>
        (body as { risk_ratio?: string }).risk_ratio === '5'
          ? {
              status: 422,
              body: { detail: [{ loc: ['body', 'risk_ratio'], msg: 'Input should be less than or equal to 1', type: 'less_than_equal' }] },
            }
          : { status: 200, body: BOT },
    });
    signInTo(server);
  });

  afterEach(async () => {
    await server.close();
  });

  it('asks for confirmation, then sends the command once', async () => {
    render(wrap(<BotControls bot={BOT} />));
    fireEvent.press(screen.getByTestId('bot-safe-pause'));
    expect(screen.getByText('Pause the Safe bot?')).toBeTruthy();
    fireEvent.press(screen.getByTestId('confirm-cancel'));
    expect(server.calls).toHaveLength(0);

    fireEvent.press(screen.getByTestId('bot-safe-pause'));
    await act(async () => {
      fireEvent.press(screen.getByTestId('confirm-ok'));
    });
    await waitFor(() => expect(screen.getByText(/Pause sent/)).toBeTruthy());
    expect(server.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /api/bots/safe/pause']);
    expect(server.calls[0]?.auth).toBe('Bearer token');
  });

  it('disables the controls while offline and sends nothing, not even later', async () => {
    useLive.setState({ status: { kind: 'waiting', retryAt: Date.now() + 5000, reason: 'unreachable' } });
    render(wrap(<BotControls bot={BOT} />));
    expect(screen.getByTestId('bot-safe-offline')).toBeTruthy();
    expect(screen.getByTestId('bot-safe-pause')).toBeDisabled();
    fireEvent.press(screen.getByTestId('bot-safe-pause'));
    expect(screen.queryByTestId('confirm-ok')).toBeNull();
    act(() => useLive.setState({ status: { kind: 'live', since: Date.now() } }));
    expect(screen.getByTestId('bot-safe-pause')).not.toBeDisabled();
    expect(screen.queryByTestId('bot-safe-offline')).toBeNull();
    expect(server.calls).toHaveLength(0);
  });

  it('shows a refused command and does not send it again by itself', async () => {
    pauseStatus = 409;
    render(wrap(<BotControls bot={BOT} />));
    fireEvent.press(screen.getByTestId('bot-safe-pause'));
    await act(async () => {
      fireEvent.press(screen.getByTestId('confirm-ok'));
    });
    await waitFor(() => expect(screen.getByTestId('bot-safe-command-error')).toHaveTextContent('the runtime is not running'));
    await new Promise((r) => setTimeout(r, 200));
    expect(server.calls).toHaveLength(1);
  });

  it("shows the server's validation error on the field", async () => {
    render(wrap(<BotSettingsForm bot={BOT} />));
    fireEvent.changeText(screen.getByTestId('settings-safe-risk_ratio'), '5');
    await act(async () => {
      fireEvent.press(screen.getByTestId('settings-safe-save'));
    });
    await waitFor(() =>
      expect(screen.getByTestId('settings-safe-risk_ratio-error')).toHaveTextContent(
        'Input should be less than or equal to 1',
      ),
    );
    expect(server.calls[0]?.body).toEqual({ risk_ratio: '5' }); // the decimal as typed, a string
  });
});

describe('changeFrom', () => {
  it('sends only what changed, decimals as strings, parameters with their type', () => {
    expect(changeFrom(BOT.config, { risk_ratio: '0.005', stop_loss: '0.03', take_profit: '0.04', 'params.buy_threshold': '0.3' })).toEqual({
      stop_loss: '0.03',
    });
    expect(changeFrom(BOT.config, { risk_ratio: '0.005', stop_loss: '0.02', take_profit: '0.04', 'params.buy_threshold': '0.25' })).toEqual({
      params: { buy_threshold: 0.25 },
    });
  });
});

describe('a bot\'s strategy parameters', () => {
  const TREND: Schemas['BotPublic'] = {
    ...BOT,
    config: { ...BOT.config, params: { buy_threshold: 0.3, require_trend_agreement: true, trend_timeframe: null } },
  };

  beforeEach(async () => {
    await i18n.changeLanguage('fr');
  });
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('shows a yes/no parameter as a yes/no choice and an unset one as an empty field', () => {
    render(wrap(<BotSettingsForm bot={TREND} />));
    expect(screen.getByTestId('settings-safe-params.require_trend_agreement-true')).toHaveTextContent('oui');
    expect(screen.getByTestId('settings-safe-params.require_trend_agreement-true').props.accessibilityState.selected).toBe(true);
    expect(screen.getByTestId('settings-safe-params.require_trend_agreement-false')).toHaveTextContent('non');
    expect(screen.getByTestId('settings-safe-params.trend_timeframe')).toHaveDisplayValue('');
    expect(screen.queryByDisplayValue('null')).toBeNull();
    expect(screen.queryByDisplayValue('true')).toBeNull();
  });

  it('sends a changed choice as a boolean, an emptied unset field as nothing, a typed one as text', () => {
    const base = { risk_ratio: '0.005', stop_loss: '0.02', take_profit: '0.04', 'params.buy_threshold': '0.3' };
    expect(changeFrom(TREND.config, { ...base, 'params.require_trend_agreement': 'true', 'params.trend_timeframe': '' })).toEqual({});
    expect(changeFrom(TREND.config, { ...base, 'params.require_trend_agreement': 'false', 'params.trend_timeframe': '' })).toEqual({
      params: { buy_threshold: 0.3, require_trend_agreement: false, trend_timeframe: null },
    });
    expect(changeFrom(TREND.config, { ...base, 'params.require_trend_agreement': 'true', 'params.trend_timeframe': '4h' }).params?.trend_timeframe).toBe('4h');
  });
});
