/**
 * A trade as a list row shows it, formatted once. The bot's history holds thousands of trades
 * and the virtualised list renders rows again each time they scroll into its window; formatting
 * in the row's render (two dates, up to five decimal strings, four translations) made every
 * batch of new rows miss frames. Lines are made once per trade object and language and kept:
 * TanStack Query keeps the objects of unchanged trades identical across refetches and new pages
 * (structural sharing), so only new or changed trades are formatted again.
 */
import type { Format } from '@/hooks/useFormat';
import { isNegative, isZero } from '@/lib/decimal';
import type { Schemas } from '@/services/api';

type Trade = Schemas['TradePublic'];

export interface TradeLine {
  id: number;
  pair: string;
  bot: string;
  side: string;
  sideTone: 'ok' | 'warn';
  status: string;
  /** quantity, entry, and the exit, stop-loss and take-profit a trade has */
  detail: string;
  /** opened (→ closed) */
  times: string;
  /** the signed P&L with its unit, or null when the trade has none yet */
  pnl: string | null;
  pnlTone: 'gain' | 'loss' | undefined;
}

export function formatTrade(trade: Trade, { t, money, dateTime }: Format): TradeLine {
  const quote = trade.pair.split('/')[1] ?? '';
  const detail = [
    `${t('trade.qty')} ${money(trade.quantity, { places: 6 })}`,
    `${t('trade.entry')} ${money(trade.entry_price)}`,
    trade.exit_price ? `${t('trade.exit')} ${money(trade.exit_price)}` : null,
    trade.stop_loss ? `${t('trade.sl')} ${money(trade.stop_loss)}` : null,
    trade.take_profit ? `${t('trade.tp')} ${money(trade.take_profit)}` : null,
  ]
    .filter((part) => part !== null)
    .join(' · ');
  return {
    id: trade.id,
    pair: trade.pair,
    bot: t(`bot.${trade.bot}`),
    side: t(`trade.${trade.side}`),
    sideTone: trade.side === 'buy' ? 'ok' : 'warn',
    status: t(`trade.${trade.status}`),
    detail,
    times: trade.closed_at ? `${dateTime(trade.opened_at)} → ${dateTime(trade.closed_at)}` : dateTime(trade.opened_at),
    pnl: trade.pnl ? money(trade.pnl, { signed: true, unit: quote }) : null,
    pnlTone: !trade.pnl || isZero(trade.pnl) ? undefined : isNegative(trade.pnl) ? 'loss' : 'gain',
  };
}

const lines = new WeakMap<Trade, { locale: string; line: TradeLine }>();

/** The trade's line in the format's language: formatted at the first call, then kept. */
export function tradeLine(trade: Trade, format: Format): TradeLine {
  const kept = lines.get(trade);
  if (kept && kept.locale === format.locale) return kept.line;
  const line = formatTrade(trade, format);
  lines.set(trade, { locale: format.locale, line });
  return line;
}
