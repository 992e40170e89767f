/**
 * A bot in detail: performance, open positions with their stop-loss and take-profit, the chart,
 * active indicators, the risk reducer, reallocations in and out, and the whole trade history
 * (filtered, paged, in a virtualised list).
 *
 * The history is a FlashList, not a FlatList: it recycles the rows that leave the window for the
 * ones coming in (new props to mounted views) instead of unmounting and mounting them (on web:
 * DOM insertion and removal, style and layout, a ResizeObserver per cell). The same fling costs
 * the browser's renderer about a third less CPU (docs/BENCHMARKS.md, issue 11).
 */
import { FlashList, type ListRenderItemInfo } from '@shopify/flash-list';
import { Stack, useLocalSearchParams } from 'expo-router';
import { useCallback, useMemo, useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { BotControls } from '@/components/BotControls';
import { RiskBadges, statusTone } from '@/components/BotSummary';
import { ChartCard } from '@/components/ChartCard';
import { ConnectionBanner } from '@/components/ConnectionBanner';
import { PairBreakdown, breakdownPairs } from '@/components/PairBreakdown';
import { TradeLineRow, TradeRow } from '@/components/TradeRow';
import { Body, Card, Chip, ErrorLine, Figure, Label, Row, pnlTone } from '@/components/ui';
import {
  useBots,
  useIndicators,
  usePortfolio,
  useReallocations,
  useShownMarket,
  useTrades,
  type BotKind,
} from '@/hooks/queries';
import { useTradeHistory, type HistoryFilter as Filter } from '@/hooks/tradeHistory';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import type { TradeLine } from '@/lib/tradeLine';
import { messageOf } from '@/services/errors';
import { useLive } from '@/store/live';

function Header({ kind, filter, setFilter, shown, total }: {
  kind: BotKind;
  filter: Filter;
  setFilter: (f: Filter) => void;
  shown: number;
  total: number;
}) {
  const theme = useTheme();
  const { t, money, ratio, dateTime } = useFormat();
  const bots = useBots();
  const portfolio = usePortfolio();
  const markets = useShownMarket();
  const market = markets.market;
  const indicators = useIndicators(market);
  const open = useTrades({ bot: kind, status: 'open', limit: 50 });
  const reallocations = useReallocations(100);
  const prices = useLive((s) => s.prices);
  const bot = bots.data?.data.find((b) => b.kind === kind);
  const figures = portfolio.data?.bots.find((b) => b.bot === kind);
  const quote = markets.markets[0]?.pair.split('/')[1] ?? '';
  const moves = (reallocations.data?.data ?? []).filter((r) => r.from_bot === kind || r.to_bot === kind);

  return (
    <View>
      <ConnectionBanner
        dataAt={bots.dataUpdatedAt}
        apiError={bots.error ? messageOf(bots.error) : null}
        onRetry={() => void bots.refetch()}
      />
      {bot ? (
        <Card
          testID="bot-detail"
          title={`${t(`bot.${kind}`)} · ${bot.config.strategy}`}
          right={<Chip testID="bot-detail-status" tone={statusTone(bot.status)} text={t(`bot.status.${bot.status}`)} />}>
          <BotControls bot={bot} />
        </Card>
      ) : null}
      {figures ? (
        <Card title={t('bot.performance')} testID="performance">
          <Row>
            <Figure label={t('bot.capital')} value={money(figures.capital, { unit: quote })} />
            <Figure
              label={t('dashboard.realisedPnl')}
              value={money(figures.realised_pnl, { signed: true, unit: quote })}
              tone={pnlTone(figures.realised_pnl)}
            />
            <Figure label={t('dashboard.fees')} value={money(figures.fees, { unit: quote })} />
            <Figure
              label={t('bot.winRate')}
              value={figures.win_rate === null || figures.win_rate === undefined ? '—' : `${Math.round(figures.win_rate * 100)} %`}
            />
            <Figure label={t('bot.closedTrades')} value={String(figures.closed_trades)} />
            <Figure label={t('bot.openTrades')} value={String(figures.open_trades)} />
            <Figure label={t('bot.reallocatedIn')} value={money(figures.reallocated_in, { unit: quote })} />
            <Figure label={t('bot.reallocatedOut')} value={money(figures.reallocated_out, { unit: quote })} />
          </Row>
        </Card>
      ) : null}
      <Card title={t('bot.openPosition')} testID="open-positions">
        {open.data?.data.length ? (
          open.data.data.map((trade) => <TradeRow key={trade.id} trade={trade} />)
        ) : (
          <Body>{t('bot.noPosition')}</Body>
        )}
      </Card>
      {market && markets.markets.length > 1 ? (
        <Card title={t('pairs.title')} testID="bot-pairs">
          {figures ? (
            <PairBreakdown
              pairs={breakdownPairs(markets.markets.map((m) => m.pair), [figures])}
              bots={[figures]}
              prices={prices}
              picked={market.pair}
              onPick={(pair) => {
                const found = markets.markets.find((m) => m.pair === pair);
                if (found) markets.pick(found);
              }}
            />
          ) : null}
        </Card>
      ) : null}
      {market ? <ChartCard market={market} bot={kind} /> : null}
      <Card title={t('bot.indicators')} testID="indicators">
        <ErrorLine message={indicators.error ? messageOf(indicators.error) : null} />
        <View style={styles.grid}>
          {indicators.data?.data.map((reading) => (
            <View key={reading.name} style={[styles.reading, { borderColor: theme.border }]}>
              <Row>
                <Text style={{ color: theme.text, fontWeight: '600' }}>{reading.name}</Text>
                <Chip
                  tone={reading.signal === 'bullish' ? 'ok' : reading.signal === 'bearish' ? 'bad' : undefined}
                  text={reading.label}
                />
              </Row>
              <Label>
                {Object.entries(reading.values)
                  .map(([k, v]) => `${k} ${v === null ? '—' : v.toFixed(2)}`)
                  .join(' · ')}
              </Label>
            </View>
          ))}
        </View>
      </Card>
      {figures ? (
        <Card title={t('bot.riskState')} testID="risk">
          <RiskBadges risk={figures.risk} />
          <Row>
            <Figure label={t('bot.baseRisk')} value={ratio(figures.risk.base_risk_ratio)} />
            <Figure label={t('bot.currentRisk')} value={ratio(figures.risk.current_risk_ratio)} />
            <Figure label={t('bot.reduction')} value={ratio(figures.risk.reduction, { places: 0 })} />
          </Row>
        </Card>
      ) : null}
      <Card title={t('bot.reallocations')} testID="bot-reallocations">
        {moves.length ? (
          moves.map((r) => (
            <Body key={r.id}>
              {dateTime(r.at)} · {r.to_bot === kind ? '+' : '−'}
              {money(r.amount, { unit: quote })} ({t(`bot.${r.from_bot}`)} → {t(`bot.${r.to_bot}`)})
            </Body>
          ))
        ) : (
          <Label>{t('common.none')}</Label>
        )}
      </Card>
      <Card title={t('bot.trades')} testID="trade-history" right={<Label>{t('trade.count', { shown, total })}</Label>}>
        <View style={styles.filters} accessibilityRole="radiogroup">
          {(['all', 'open', 'closed'] as const).map((f) => (
            <Pressable
              key={f}
              testID={`filter-${f}`}
              accessibilityRole="radio"
              accessibilityState={{ selected: filter === f }}
              onPress={() => setFilter(f)}
              style={[styles.filter, { borderColor: theme.border, backgroundColor: filter === f ? theme.primary : theme.card }]}>
              <Text style={{ color: filter === f ? '#fff' : theme.text }}>
                {t(`trade.filter${f[0]!.toUpperCase()}${f.slice(1)}`)}
              </Text>
            </Pressable>
          ))}
        </View>
      </Card>
    </View>
  );
}

const NO_LINES: TradeLine[] = [];
const keyOf = (line: TradeLine) => String(line.id);

export default function BotDetailScreen() {
  const { id } = useLocalSearchParams<{ id: string }>();
  const kind: BotKind = id === 'aggressive' ? 'aggressive' : 'safe';
  const theme = useTheme();
  const { t } = useFormat();
  const [filter, setFilter] = useState<Filter>('all');
  const history = useTradeHistory(kind, filter);
  const lines = history.data?.lines ?? NO_LINES;
  const total = history.data?.total ?? 0;
  // stable across the screen's renders: a new renderItem or header would render every mounted row again
  const renderItem = useCallback(
    ({ item }: ListRenderItemInfo<TradeLine>) => <TradeLineRow line={item} theme={theme} />,
    [theme],
  );
  const header = useMemo(
    () => <Header kind={kind} filter={filter} setFilter={setFilter} shown={lines.length} total={total} />,
    [kind, filter, lines.length, total],
  );
  return (
    <>
      <Stack.Screen options={{ title: t(`bot.${kind}`) }} />
      <FlashList
        testID="bot-detail-list"
        style={{ backgroundColor: theme.background }}
        contentContainerStyle={styles.page}
        data={lines}
        keyExtractor={keyOf}
        renderItem={renderItem}
        ListHeaderComponent={header}
        onEndReached={() => {
          if (history.hasNextPage && !history.isFetchingNextPage) void history.fetchNextPage();
        }}
        onEndReachedThreshold={0.5}
      />
    </>
  );
}

const styles = StyleSheet.create({
  page: { padding: 14, maxWidth: 1100, width: '100%', alignSelf: 'center' },
  grid: { flexDirection: 'row', flexWrap: 'wrap', gap: 8 },
  reading: { borderWidth: 1, borderRadius: 8, padding: 8, gap: 4, flexBasis: 240, flexGrow: 1 },
  filters: { flexDirection: 'row', gap: 6 },
  filter: { borderWidth: 1, borderRadius: 8, paddingHorizontal: 12, paddingVertical: 6 },
});
