/**
 * The typed REST client (generated from docs/openapi.json) and the session's token life:
 * sign in, refresh with rotation before the access token expires, sign out.
 *
 * A request is never sent twice behind the user's back when it could act twice: only a GET
 * that got a 401 is replayed after a refresh; a command that got a 401 fails, and the user
 * sends it again (the session is renewed by then).
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';

import { ApiError, errorFrom } from '@/services/errors';
import { clearSnapshot, type Owner } from '@/services/snapshot';
import { keepRefreshToken, readRefreshToken, readSetting, writeSetting } from '@/services/storage';
import { useSession, type Role } from '@/store/session';
import type { components, paths } from '@/types/api';

export type Schemas = components['schemas'];
export type Api = Client<paths>;

const REFRESH_MARGIN_MS = 30_000;
const AUTH_PATHS = ['/auth/login', '/auth/refresh'];

let client: { server: string; api: Api } | null = null;
let refreshing: Promise<boolean> | null = null;

/** The client for the signed-in server. */
export function api(): Api {
  const { server } = useSession.getState();
  if (client?.server !== server) client = { server, api: build(server) };
  return client.api;
}

function isAuthPath(url: string): boolean {
  const path = new URL(url).pathname;
  return AUTH_PATHS.some((p) => path.endsWith(p));
}

const authMiddleware: Middleware = {
  async onRequest({ request }) {
    if (isAuthPath(request.url)) return request;
    const access = await freshAccessToken();
    if (access) request.headers.set('Authorization', `Bearer ${access}`);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || isAuthPath(request.url)) return response;
    const renewed = await refreshSession();
    if (!renewed || request.method !== 'GET') return response;
    const retry = new Request(request);
    retry.headers.set('Authorization', `Bearer ${useSession.getState().access ?? ''}`);
    return fetch(retry);
  },
};

/**
 * A current access token for a request made outside the typed client (a file upload with its
 * progress): refreshed first when it is about to expire, like the client's own requests.
 */
export async function freshAccessToken(): Promise<string | null> {
  const state = useSession.getState();
  if (state.refresh && Date.now() > state.accessExpiresAt - REFRESH_MARGIN_MS) await refreshSession();
  return useSession.getState().access;
}

function build(server: string): Api {
  const made = createClient<paths>({ baseUrl: server });
  made.use(authMiddleware);
  return made;
}

/**
 * Unwraps an openapi-fetch call: its data, or an ApiError (status 0 when unreachable).
 */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (failure) {
    throw new ApiError(0, failure instanceof Error ? failure.message : String(failure));
  }
  if (result.error !== undefined || !result.response.ok) {
    throw errorFrom(result.response.status, result.error);
  }
  return result.data as T;
}

function remember(tokens: Schemas['TokenPublic']): void {
  useSession.setState({
    access: tokens.access_token,
    accessExpiresAt: Date.now() + tokens.expires_in * 1000,
    refresh: tokens.refresh_token,
  });
  if (useSession.getState().keep) void keepRefreshToken(tokens.refresh_token);
}

async function loadUser(): Promise<void> {
  const me = await call(api().GET('/auth/me'));
  useSession.setState({
    user: { username: me.username, role: me.role as Role },
    status: 'signedIn',
    notice: null,
  });
}

/** Signs in; throws ApiError (401 wrong credentials, 0 server unreachable, 422 fields). */
export async function signIn(
  server: string,
  username: string,
  password: string,
  keep: boolean,
): Promise<void> {
  useSession.setState({ server, keep });
  const tokens = await call(api().POST('/auth/login', { body: { username, password } }));
  remember(tokens);
  await writeSetting('server', server);
  if (!keep) await keepRefreshToken(null);
  await loadUser();
}

/**
 * Rotates the refresh token (one refresh at a time, shared by concurrent callers).
 * A refused refresh signs out with a notice; an unreachable server keeps the session.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    const token = useSession.getState().refresh;
    if (!token) return false;
    try {
      remember(await call(api().POST('/auth/refresh', { body: { refresh_token: token } })));
      return true;
    } catch (failure) {
      if (failure instanceof ApiError && !failure.unreachable && failure.status < 500) {
        await endSession('login.expired');
      }
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * Forgets the session here, after the server already ended it (password changed, logged out
 * everywhere); `notice` is the i18n key the login screen shows.
 */
export async function endSession(notice: string | null): Promise<void> {
  await keepRefreshToken(null);
  await clearSnapshot();
  useSession.setState({
    status: 'anonymous',
    access: null,
    accessExpiresAt: 0,
    refresh: null,
    user: null,
    notice,
  });
}

/** Signs out: revokes the session on the server (best effort) and forgets every token. */
export async function signOut(): Promise<void> {
  try {
    await call(api().POST('/auth/logout'));
  } catch {
    // the server may be unreachable; the tokens are forgotten here anyway
  }
  await endSession(null);
}

/**
 * At launch: the saved server, and the kept session if there is one. When the server cannot
 * be reached, `offline(server)` may open the session on the last known state (it returns
 * whose it is); the tokens refresh once the server answers again.
 */
export async function restoreSession(
  defaultServer: string,
  offline?: (server: string) => Promise<Owner | null>,
): Promise<void> {
  const server = (await readSetting('server')) ?? defaultServer;
  const refresh = await readRefreshToken();
  useSession.setState({ server, refresh, keep: refresh !== null });
  if (refresh === null) {
    useSession.setState({ status: 'anonymous' });
    return;
  }
  if (!(await refreshSession())) {
    // a refused refresh signed out already; otherwise the server did not answer
    const owner = useSession.getState().status === 'restoring' && offline ? await offline(server) : null;
    useSession.setState(
      owner
        ? { status: 'signedIn', user: { username: owner.username, role: owner.role as Role } }
        : { status: 'anonymous' },
    );
    return;
  }
  try {
    await loadUser();
  } catch {
    useSession.setState({ status: 'anonymous' });
  }
}
