/** One trade in a list: bot, pair, side, entry/exit, stop-loss/take-profit, P&L. */
import { memo } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { Chip, Pnl } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import type { Schemas } from '@/services/api';

function TradeRowView({ trade }: { trade: Schemas['TradePublic'] }) {
  const theme = useTheme();
  const { t, money, dateTime } = useFormat();
  const quote = trade.pair.split('/')[1] ?? '';
  return (
    <View testID={`trade-${trade.id}`} style={[styles.row, { borderColor: theme.border }]}>
      <View style={styles.main}>
        <View style={styles.line}>
          <Text style={[styles.pair, { color: theme.text }]}>{trade.pair}</Text>
          <Chip text={t(`bot.${trade.bot}`)} />
          <Chip text={t(`trade.${trade.side}`)} tone={trade.side === 'buy' ? 'ok' : 'warn'} />
          <Chip text={t(`trade.${trade.status}`)} />
        </View>
        <Text style={[styles.detail, { color: theme.muted }]}>
          {t('trade.qty')} {money(trade.quantity, { places: 6 })} · {t('trade.entry')}{' '}
          {money(trade.entry_price)}
          {trade.exit_price ? ` · ${t('trade.exit')} ${money(trade.exit_price)}` : ''}
          {trade.stop_loss ? ` · ${t('trade.sl')} ${money(trade.stop_loss)}` : ''}
          {trade.take_profit ? ` · ${t('trade.tp')} ${money(trade.take_profit)}` : ''}
        </Text>
        <Text style={[styles.detail, { color: theme.muted }]}>
          {dateTime(trade.opened_at)}
          {trade.closed_at ? ` → ${dateTime(trade.closed_at)}` : ''}
        </Text>
      </View>
      {trade.pnl ? <Pnl value={trade.pnl} unit={quote} testID={`trade-${trade.id}-pnl`} /> : null}
    </View>
  );
}

export const TradeRow = memo(TradeRowView);

const styles = StyleSheet.create({
  row: {
    flexDirection: 'row',
    alignItems: 'center',
    borderBottomWidth: StyleSheet.hairlineWidth,
    paddingVertical: 8,
    gap: 8,
  },
  main: { flex: 1, gap: 3 },
  line: { flexDirection: 'row', alignItems: 'center', gap: 6, flexWrap: 'wrap' },
  pair: { fontWeight: '600', fontSize: 14 },
  detail: { fontSize: 12, fontVariant: ['tabular-nums'] },
});
