/** Keeps one /ws connection while signed in; turns its events into fresh screens. */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

import { api, call } from '@/services/api';
import { LiveSocket, type LiveEvent, type SocketLike, type Topic } from '@/services/live';
import { useLive } from '@/store/live';
import { useSession } from '@/store/session';

export const TOPICS: Topic[] = [
  'trades',
  'alerts',
  'bot_status',
  'portfolio',
  'signals',
  'prices',
  'backtests',
];

/** Which REST queries an event makes stale. */
export function staleKeys(event: LiveEvent): string[] {
  switch (event.topic) {
    case 'trades':
      return ['trades', 'portfolio', 'bots', 'chart'];
    case 'alerts':
      return ['trades', 'portfolio'];
    case 'bot_status':
      return ['bots', 'portfolio'];
    case 'portfolio':
      return ['portfolio', 'reallocations', 'bots'];
    case 'prices':
      return ['chart'];
    case 'signals':
    case 'indicators':
      return ['indicators'];
    case 'backtests':
      return event.data.status === 'succeeded' || event.data.status === 'failed' ? ['backtests'] : [];
  }
}

/** Invalidates at most once per `everyMs` per key (a replay can publish hundreds a second). */
export function throttledInvalidator(client: QueryClient, everyMs = 1000): (keys: string[]) => void {
  const pending = new Set<string>();
  const last = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const now = Date.now();
    for (const key of pending) {
      last.set(key, now);
      void client.invalidateQueries({ queryKey: [key] });
    }
    pending.clear();
  };
  return (keys) => {
    const now = Date.now();
    for (const key of keys) {
      if (now - (last.get(key) ?? 0) >= everyMs && !timer) {
        last.set(key, now);
        void client.invalidateQueries({ queryKey: [key] });
      } else {
        pending.add(key);
      }
    }
    if (pending.size && !timer) timer = setTimeout(flush, everyMs);
  };
}

export function wsUrl(server: string): string {
  return `${server.replace(/^http/, 'ws')}/ws`;
}

export function useLiveConnection(): void {
  const client = useQueryClient();
  const signedIn = useSession((s) => s.status === 'signedIn');
  const server = useSession((s) => s.server);

  useEffect(() => {
    if (!signedIn) return undefined;
    const live = useLive.getState();
    const invalidate = throttledInvalidator(client);
    const socket = new LiveSocket({
      url: wsUrl(server),
      topics: TOPICS,
      ticket: async () => (await call(api().POST('/auth/ws-ticket'))).ticket,
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      onEvent: (event) => {
        useLive.getState().apply(event);
        invalidate(staleKeys(event));
      },
      onStatus: (status) => useLive.getState().setStatus(status),
      onResync: () => void client.invalidateQueries(),
    });
    socket.start();
    return () => {
      socket.stop();
      live.reset();
    };
  }, [client, signedIn, server]);
}
