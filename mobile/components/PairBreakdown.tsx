/**
 * Every traded pair at a glance: for each bot, its open positions there (count and notional),
 * realised P&L, closed trades and win rate, from the portfolio's per-pair figures (strings,
 * formatted as they are). A pair's box picks it for the signals and the chart.
 */
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { pnlTone } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import type { Schemas } from '@/services/api';

type BotFigures = Schemas['BotPortfolioPublic'];
type PairFigures = Schemas['PairPortfolioPublic'];

/** The pairs to show: those traded now (in their order), then any other a bot has traded. */
export function breakdownPairs(traded: string[], bots: BotFigures[]): string[] {
  const pairs = [...new Set(traded)];
  const others = new Set(bots.flatMap((b) => b.pairs.map((p) => p.pair)).filter((p) => !pairs.includes(p)));
  return [...pairs, ...[...others].sort()];
}

function BotLine({ kind, figures, quote }: { kind: BotFigures['bot']; figures: PairFigures | undefined; quote: string }) {
  const theme = useTheme();
  const { t, money } = useFormat();
  const tone = figures ? pnlTone(figures.realised_pnl) : undefined;
  const pnlColor = tone === 'gain' ? theme.gain : tone === 'loss' ? theme.loss : theme.text;
  const item = (label: string, value: string, color = theme.text, testID?: string) => (
    <Text style={styles.item}>
      <Text style={{ color: theme.muted }}>{label} </Text>
      <Text testID={testID} style={[styles.value, { color }]}>
        {value}
      </Text>
    </Text>
  );
  return (
    <View style={styles.bot}>
      <Text style={[styles.botName, { color: theme.text }]}>{t(`bot.${kind}`)}</Text>
      {figures ? (
        <View style={styles.items}>
          {item(
            t('pairs.open'),
            figures.open_trades ? `${figures.open_trades} · ${money(figures.open_notional, { unit: quote })}` : '0',
            theme.text,
            `pair-${figures.pair}-${kind}-open`,
          )}
          {item(t('dashboard.realisedPnl'), money(figures.realised_pnl, { signed: true, unit: quote }), pnlColor, `pair-${figures.pair}-${kind}-pnl`)}
          {item(
            t('pairs.trades'),
            figures.win_rate === null || figures.win_rate === undefined
              ? String(figures.closed_trades)
              : t('pairs.tradesWon', { count: figures.closed_trades, rate: Math.round(figures.win_rate * 100) }),
          )}
        </View>
      ) : (
        <Text style={[styles.item, { color: theme.muted }]}>{t('pairs.noTrade')}</Text>
      )}
    </View>
  );
}

export function PairBreakdown({
  pairs,
  bots,
  prices,
  picked,
  onPick,
}: {
  pairs: string[];
  bots: BotFigures[];
  /** latest close per pair (decimal strings), when the socket has brought one */
  prices: Record<string, { close: string }>;
  picked: string | null;
  onPick?: (pair: string) => void;
}) {
  const theme = useTheme();
  const { t, money } = useFormat();
  return (
    <View style={styles.grid} testID="pair-breakdown">
      {pairs.map((pair) => {
        const quote = pair.split('/')[1] ?? '';
        const selected = pair === picked;
        const price = prices[pair]?.close;
        return (
          <Pressable
            key={pair}
            testID={`pair-${pair}`}
            accessibilityRole={onPick ? 'button' : undefined}
            accessibilityState={{ selected }}
            aria-selected={selected}
            disabled={!onPick}
            onPress={() => onPick?.(pair)}
            style={[styles.box, { borderColor: selected ? theme.primary : theme.border }]}>
            <View style={styles.header}>
              <Text style={[styles.pair, { color: theme.text }]}>{pair}</Text>
              {price ? <Text style={[styles.value, { color: theme.muted }]}>{money(price, { unit: quote })}</Text> : null}
            </View>
            {bots.map((bot) => (
              <BotLine key={bot.bot} kind={bot.bot} figures={bot.pairs.find((p) => p.pair === pair)} quote={quote} />
            ))}
            {selected && pairs.length > 1 ? <Text style={[styles.item, { color: theme.primary }]}>{t('pairs.shown')}</Text> : null}
          </Pressable>
        );
      })}
    </View>
  );
}

const styles = StyleSheet.create({
  grid: { flexDirection: 'row', flexWrap: 'wrap', gap: 10 },
  box: { borderWidth: 1, borderRadius: 10, padding: 10, gap: 6, flexGrow: 1, flexBasis: 260, minWidth: 0 },
  header: { flexDirection: 'row', justifyContent: 'space-between', alignItems: 'baseline', flexWrap: 'wrap', gap: 6 },
  pair: { fontSize: 15, fontWeight: '700' },
  bot: { gap: 2 },
  botName: { fontSize: 13, fontWeight: '600' },
  items: { flexDirection: 'row', flexWrap: 'wrap', columnGap: 12, rowGap: 2 },
  item: { fontSize: 12 },
  value: { fontSize: 12, fontVariant: ['tabular-nums'] },
});
