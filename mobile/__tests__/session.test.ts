/**
 * The session against a local server speaking the API's auth protocol: sign in, refresh with
 * rotation before expiry, a refused refresh signs out with a notice, a command that met a 401
 * is not replayed.
 */
import { api, call, refreshSession, signIn, signOut } from '@/services/api';
import { ApiError } from '@/services/errors';
import { useSession } from '@/store/session';

import { startApi, type FakeApi } from '@/test-support/server';

const ME = { id: 1, username: 'ana', email: null, role: 'trader', is_active: true, created_at: null, last_login_at: null };
const BOT = {
  id: 1, kind: 'safe', name: 'Safe', status: 'paused', requested: null, capital: '700.00000000',
  risk_level: 'low', current_risk_ratio: '0.0050',
  config: { strategy: 'conservative', params: {}, risk_ratio: '0.005', stop_loss: '0.02', take_profit: '0.04' },
  updated_at: '2026-01-01T00:00:00Z',
};

function tokens(n: number, expiresIn = 900) {
  return { access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: 'bearer', expires_in: expiresIn };
}

describe('session', () => {
  let server: FakeApi;
  let issued = 0;
  let refreshes: string[] = [];
  let refuseRefresh = false;
  let valid = new Set<string>();

  beforeEach(async () => {
    issued = 0;
    refreshes = [];
    refuseRefresh = false;
    valid = new Set();
    server = await startApi({
      'POST /auth/login': ({ body }) => {
        const { username, password } = body as { username: string; password: string };
        if (username !== 'ana' || password !== 'secret') return { status: 401, body: { detail: 'wrong username or password' } };
        issued += 1;
        valid.add(`access-${issued}`);
        return { status: 200, body: tokens(issued, 20) }; // expires within the refresh margin
      },
      'POST /auth/refresh': ({ body }) => {
        const token = (body as { refresh_token: string }).refresh_token;
        refreshes.push(token);
        if (refuseRefresh || token !== `refresh-${issued}`) return { status: 401, body: { detail: 'refresh token revoked' } };
        issued += 1;
        valid.add(`access-${issued}`);
        return { status: 200, body: tokens(issued) };
      },
      'GET /auth/me': ({ headers }) =>
        valid.has((headers.authorization ?? '').slice(7)) ? { status: 200, body: ME } : { status: 401, body: { detail: 'expired' } },
      'POST /auth/logout': () => ({ status: 204 }),
      'POST /api/bots/safe/resume': () => ({ status: 401, body: { detail: 'expired' } }),
      'GET /api/bots': ({ headers }) =>
        valid.has((headers.authorization ?? '').slice(7))
          ? { status: 200, body: { data: [BOT], count: 1 } }
          : { status: 401, body: { detail: 'expired' } },
    });
    useSession.setState({ status: 'anonymous', server: '', access: null, refresh: null, user: null, notice: null, keep: false });
  });

  afterEach(async () => {
    await server.close();
  });

  it('signs in, then rotates the refresh token before the access token expires', async () => {
    await signIn(server.url, 'ana', 'secret', false);
    expect(useSession.getState()).toMatchObject({ status: 'signedIn', user: { username: 'ana', role: 'trader' } });
    // the first access token expires in 20 s (< 30 s margin): the next request refreshes first
    const bots = await call(api().GET('/api/bots'));
    expect(bots.data[0]?.capital).toBe('700.00000000');
    expect(refreshes).toEqual(['refresh-1']);
    expect(useSession.getState().refresh).toBe('refresh-2');
    expect(server.calls.at(-1)).toMatchObject({ path: '/api/bots', auth: 'Bearer access-2' });
  });

  it('shares one refresh between concurrent callers', async () => {
    await signIn(server.url, 'ana', 'secret', false);
    const before = refreshes.length;
    const [a, b] = await Promise.all([refreshSession(), refreshSession()]);
    expect([a, b]).toEqual([true, true]);
    expect(refreshes.length).toBe(before + 1);
  });

  it('signs out with a notice when the refresh is refused', async () => {
    await signIn(server.url, 'ana', 'secret', false);
    refuseRefresh = true;
    valid.clear(); // the access token expired or was revoked
    await expect(call(api().GET('/api/bots'))).rejects.toBeInstanceOf(ApiError);
    expect(useSession.getState()).toMatchObject({
      status: 'anonymous',
      access: null,
      refresh: null,
      notice: 'login.expired',
    });
  });

  it('does not replay a command that met a 401', async () => {
    await signIn(server.url, 'ana', 'secret', false);
    await refreshSession();
    const before = server.calls.filter((c) => c.path === '/api/bots/safe/resume').length;
    await expect(
      call(api().POST('/api/bots/{bot}/resume', { params: { path: { bot: 'safe' } } })),
    ).rejects.toMatchObject({ status: 401 });
    expect(server.calls.filter((c) => c.path === '/api/bots/safe/resume').length).toBe(before + 1);
  });

  it('reports a wrong password as 401 and an unreachable server as status 0', async () => {
    await expect(signIn(server.url, 'ana', 'nope', false)).rejects.toMatchObject({ status: 401 });
    await expect(signIn('http://127.0.0.1:9', 'ana', 'secret', false)).rejects.toMatchObject({ status: 0 });
  });

  it('forgets every token on sign-out', async () => {
    await signIn(server.url, 'ana', 'secret', false);
    await signOut();
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', access: null, refresh: null, notice: null });
    expect(server.calls.some((c) => c.path === '/auth/logout')).toBe(true);
  });
});
