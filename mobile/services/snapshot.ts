/**
 * The last known state, kept on the device: the screens' server data (portfolio, bots, trades,
 * signals, charts, settings) with the time each was fetched, for one server and one user. At a
 * launch with the server unreachable, the app opens on it and every screen says how old it is.
 * Tokens are never part of it; signing out deletes it.
 */
import { dehydrate, hydrate, type QueryClient } from '@tanstack/react-query';

import { readSnapshotText, writeSnapshotText } from '@/services/snapshotStore';

/** The queries worth keeping (first key part). */
export const KEPT = new Set(['portfolio', 'bots', 'trades', 'reallocations', 'series', 'indicators', 'chart', 'pairs', 'live-trading', 'notifications', 'me']);

export interface Owner {
  server: string;
  username: string;
  role: string;
}

interface Snapshot {
  version: 1;
  owner: Owner;
  savedAt: number;
  state: ReturnType<typeof dehydrate>;
}

/**
 * A paged query (a bot's whole trade history) is kept with its first page only: the history
 * scrolled to its end holds thousands of trades, and serialising and writing megabytes on the
 * main thread at each save froze the screen for a few frames (issue 11's profile). The
 * restored list starts from that page and loads the rest as it did the first time.
 */
function firstPage(data: unknown): unknown {
  if (!data || typeof data !== 'object' || !('pages' in data) || !('pageParams' in data)) return data;
  const { pages, pageParams } = data as { pages: unknown; pageParams: unknown };
  if (!Array.isArray(pages) || !Array.isArray(pageParams)) return data;
  return { pages: pages.slice(0, 1), pageParams: pageParams.slice(0, 1) };
}

/**
 * The kept queries that hold data. A query whose last refetch failed (the server just went away)
 * still holds its last good data, and that data is exactly what must survive a restart: it is
 * kept as a success, with the time it was really fetched, not dropped for its error.
 */
export function snapshotOf(client: QueryClient, owner: Owner, now = Date.now()): Snapshot {
  const state = dehydrate(client, {
    shouldDehydrateQuery: (query) => query.state.data !== undefined && KEPT.has(String(query.queryKey[0])),
  });
  return {
    version: 1,
    owner,
    savedAt: now,
    state: {
      ...state,
      queries: state.queries.map((query) => ({
        ...query,
        state: {
          ...query.state,
          data: firstPage(query.state.data),
          status: 'success',
          error: null,
          fetchStatus: 'idle',
          fetchFailureCount: 0,
          fetchFailureReason: null,
        },
      })),
    },
  };
}

export async function saveSnapshot(client: QueryClient, owner: Owner): Promise<void> {
  await writeSnapshotText(JSON.stringify(snapshotOf(client, owner)));
}

/** The kept snapshot of this server, or null (none, another server's, or unreadable). */
export async function readSnapshot(server: string): Promise<Snapshot | null> {
  try {
    const text = await readSnapshotText();
    const snapshot = text ? (JSON.parse(text) as Snapshot) : null;
    return snapshot?.version === 1 && snapshot.owner.server === server ? snapshot : null;
  } catch {
    return null;
  }
}

/** Puts a snapshot's data in the cache, each query with the time it was really fetched. */
export function restoreSnapshot(client: QueryClient, snapshot: Snapshot): void {
  hydrate(client, snapshot.state);
}

export function clearSnapshot(): Promise<void> {
  return writeSnapshotText(null);
}

/**
 * Keeps the snapshot up to date: saved at most every `everyMs` after a kept query changed.
 * Returns the unsubscribe function.
 */
export function keepSnapshots(client: QueryClient, owner: () => Owner | null, everyMs = 3000): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const unsubscribe = client.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated' || !KEPT.has(String(event.query.queryKey[0]))) return;
    if (event.query.state.status !== 'success' || timer) return;
    timer = setTimeout(() => {
      timer = null;
      const who = owner();
      if (who) void saveSnapshot(client, who);
    }, everyMs);
  });
  return () => {
    if (timer) clearTimeout(timer);
    unsubscribe();
  };
}
