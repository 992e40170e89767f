/** A bot's whole trade history, paged as the list nears its end, as formatted lines. */
import { useInfiniteQuery, type InfiniteData } from '@tanstack/react-query';
import { useCallback } from 'react';

import type { BotKind } from '@/hooks/queries';
import { useFormat } from '@/hooks/useFormat';
import { tradeLine, type TradeLine } from '@/lib/tradeLine';
import { api, call, type Schemas } from '@/services/api';

export const HISTORY_PAGE = 50;
export type HistoryFilter = 'all' | 'open' | 'closed';
type Page = Schemas['TradesPublic'];

export interface History {
  lines: TradeLine[];
  /** trades on the server for this filter */
  total: number;
}

export function historyKey(bot: BotKind, filter: HistoryFilter) {
  return ['trades', 'history', bot, filter] as const;
}

/**
 * The lines come from the query's select, which runs when the pages or the language change,
 * not at each render; tradeLine keeps each trade's line, so a new page formats only its own.
 */
export function useTradeHistory(bot: BotKind, filter: HistoryFilter) {
  const format = useFormat();
  const select = useCallback(
    (data: InfiniteData<Page, number>): History => ({
      lines: data.pages.flatMap((page) => page.data.map((trade) => tradeLine(trade, format))),
      total: data.pages[0]?.count ?? 0,
    }),
    [format],
  );
  return useInfiniteQuery({
    queryKey: historyKey(bot, filter),
    initialPageParam: 0,
    queryFn: ({ pageParam }) =>
      call(
        api().GET('/api/trades', {
          params: {
            query: { bot, status: filter === 'all' ? undefined : filter, limit: HISTORY_PAGE, offset: pageParam },
          },
        }),
      ),
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((n, p) => n + p.data.length, 0);
      return loaded < last.count ? loaded : undefined;
    },
    select,
  });
}
