/**
 * One trade in a list: bot, pair, side, entry/exit, stop-loss/take-profit, P&L. The row draws a
 * line formatted beforehand (lib/tradeLine) with the palette it is given, so a long list's rows
 * run no formatting and no hooks when they mount.
 */
import { memo } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { ThemedChip } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme, type Palette } from '@/hooks/useTheme';
import { tradeLine, type TradeLine } from '@/lib/tradeLine';
import type { Schemas } from '@/services/api';

function TradeLineRowView({ line, theme }: { line: TradeLine; theme: Palette }) {
  const pnlColor = line.pnlTone === 'gain' ? theme.gain : line.pnlTone === 'loss' ? theme.loss : theme.text;
  return (
    <View testID={`trade-${line.id}`} style={[styles.row, { borderColor: theme.border }]}>
      <View style={styles.main}>
        <View style={styles.line}>
          <Text style={[styles.pair, { color: theme.text }]}>{line.pair}</Text>
          <ThemedChip theme={theme} text={line.bot} />
          <ThemedChip theme={theme} text={line.side} tone={line.sideTone} />
          <ThemedChip theme={theme} text={line.status} />
        </View>
        <Text style={[styles.detail, { color: theme.muted }]}>{line.detail}</Text>
        <Text style={[styles.detail, { color: theme.muted }]}>{line.times}</Text>
      </View>
      {line.pnl ? (
        <Text testID={`trade-${line.id}-pnl`} style={[styles.pnl, { color: pnlColor }]}>
          {line.pnl}
        </Text>
      ) : null}
    </View>
  );
}

/** A row of a long list: the line from the list's select, the palette from the list. */
export const TradeLineRow = memo(TradeLineRowView);

/** A row of a short list (a few open positions, the latest trades): formats its own trade. */
export const TradeRow = memo(function TradeRow({ trade }: { trade: Schemas['TradePublic'] }) {
  const format = useFormat();
  const theme = useTheme();
  return <TradeLineRow line={tradeLine(trade, format)} theme={theme} />;
});

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
  pnl: { fontSize: 14, fontVariant: ['tabular-nums'] },
});
