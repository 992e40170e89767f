/** Who is signed in, on which server, with which tokens (the access token lives only here). */
import { create } from 'zustand';

export type Role = 'admin' | 'trader' | 'viewer';

export interface SessionState {
  status: 'restoring' | 'anonymous' | 'signedIn';
  server: string;
  access: string | null;
  /** epoch ms after which the access token must be refreshed before use */
  accessExpiresAt: number;
  refresh: string | null;
  keep: boolean;
  user: { username: string; role: Role } | null;
  /** why the user was signed out (an i18n key), shown on the login screen */
  notice: string | null;
}

export const useSession = create<SessionState>(() => ({
  status: 'restoring',
  server: '',
  access: null,
  accessExpiresAt: 0,
  refresh: null,
  keep: false,
  user: null,
  notice: null,
}));

/** The base URL as typed, normalised: scheme required, no trailing slash. */
export function normaliseServer(value: string): string | null {
  const trimmed = value.trim().replace(/\/+$/, '');
  try {
    const url = new URL(trimmed);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return null;
  }
}
