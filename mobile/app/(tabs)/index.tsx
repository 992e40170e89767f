/**
 * Dashboard: both bots and the combined portfolio, every traded pair (each bot's positions and
 * P&L there), the realised P&L curve, live activity, recent trades, the latest signals of the
 * picked pair with each indicator's contribution, the last reallocations. Everything refreshes
 * from /ws events; the last data stays with its age.
 */
import { useMemo } from 'react';
import { RefreshControl, ScrollView, StyleSheet, Text, View } from 'react-native';

import { BotSummary } from '@/components/BotSummary';
import { ConnectionBanner } from '@/components/ConnectionBanner';
import EquityChart, { type EquityPoint } from '@/components/EquityChart';
import { MarketPicker } from '@/components/MarketPicker';
import { PairBreakdown, breakdownPairs } from '@/components/PairBreakdown';
import { SignalCard, type SignalView } from '@/components/SignalCard';
import { TradeRow } from '@/components/TradeRow';
import { Body, Card, Chip, ErrorLine, Figure, Label, Pnl, Row, pnlTone } from '@/components/ui';
import { usePortfolio, useShownMarket, useSignals, useTrades } from '@/hooks/queries';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { isZero, plotValue, sumDecimals } from '@/lib/decimal';
import type { Schemas } from '@/services/api';
import { messageOf } from '@/services/errors';
import { useLive } from '@/store/live';

/**
 * The running total of realised P&L, trade by trade (exact sums; floats only to draw). It starts
 * at zero when the first of them opened, so that a single closed trade already draws a line.
 */
export function pnlCurve(trades: Schemas['TradePublic'][]): { points: EquityPoint[]; total: string } {
  const closed = trades
    .filter((trade) => trade.status === 'closed' && trade.pnl && trade.closed_at)
    .sort((a, b) => (a.closed_at ?? '').localeCompare(b.closed_at ?? ''));
  let total = '0';
  const points: EquityPoint[] = [];
  if (closed.length) {
    const opened = Math.min(...closed.map((trade) => Date.parse(trade.opened_at)));
    points.push({ time: Math.floor(opened / 1000), value: 0 });
  }
  for (const trade of closed) {
    total = sumDecimals([total, trade.pnl ?? '0']);
    points.push({ time: Math.floor(Date.parse(trade.closed_at ?? '') / 1000), value: plotValue(total) });
  }
  return { points, total };
}

export default function DashboardScreen() {
  const theme = useTheme();
  const { t, money, ratio, dateTime } = useFormat();
  const portfolio = usePortfolio();
  const shown = useShownMarket();
  const market = shown.market;
  const recent = useTrades({ limit: 10 });
  const closed = useTrades({ status: 'closed', limit: 500 });
  const signals = useSignals(market);
  const liveSignals = useLive((s) => (market ? s.signals[market.pair] : undefined));
  const orders = useLive((s) => s.orders);
  const prices = useLive((s) => s.prices);

  // the bots' money is in the quote currency of the markets they trade (the first's)
  const quote = shown.markets[0]?.pair.split('/')[1] ?? '';
  const chartColors = useMemo(
    () => ({ background: theme.card, text: theme.text, grid: theme.border, up: theme.gain, down: theme.loss }),
    [theme],
  );
  const curve = useMemo(() => pnlCurve(closed.data?.data ?? []), [closed.data]);
  const shownSignals: SignalView[] = useMemo(() => {
    const fetched = signals.data?.data ?? [];
    return (['safe', 'aggressive'] as const).flatMap((bot): SignalView[] => {
      const live = liveSignals?.[bot];
      if (live) {
        const { action, strategy, confidence, score, timestamp, contributions } = live;
        return [{ bot, action, strategy, confidence, score, timestamp, contributions }];
      }
      const found = fetched.find((s) => s.bot === bot);
      return found ? [found] : [];
    });
  }, [signals.data, liveSignals]);

  const refetch = () => {
    void portfolio.refetch();
    void recent.refetch();
    void closed.refetch();
    void signals.refetch();
  };
  const data = portfolio.data;
  const fees = data ? sumDecimals(data.bots.map((b) => b.fees)) : null;
  return (
    <ScrollView
      testID="dashboard"
      contentContainerStyle={styles.page}
      refreshControl={<RefreshControl refreshing={portfolio.isRefetching} onRefresh={refetch} />}>
      <ConnectionBanner
        dataAt={portfolio.dataUpdatedAt}
        apiError={portfolio.error ? messageOf(portfolio.error) : null}
        onRetry={refetch}
      />
      <Card
        title={t('dashboard.portfolio')}
        testID="portfolio"
        right={
          data ? (
            <Chip
              testID="trading-mode"
              tone={data.mode === 'live' ? 'bad' : undefined}
              text={data.mode === 'live' ? t('common.live') : t('common.paper')}
            />
          ) : null
        }>
        {data ? (
          <Row>
            <Figure
              testID="total-capital"
              label={t('dashboard.totalCapital')}
              value={money(data.total_capital, { unit: quote })}
            />
            <Figure
              testID="total-pnl"
              label={t('dashboard.realisedPnl')}
              value={money(data.total_realised_pnl, { signed: true, unit: quote })}
              tone={pnlTone(data.total_realised_pnl)}
            />
            <Figure
              testID="total-unrealised"
              label={t('dashboard.unrealisedPnl')}
              value={money(data.total_unrealised_pnl, { signed: true, unit: quote })}
              tone={pnlTone(data.total_unrealised_pnl)}
            />
            <Figure
              testID="today-pnl"
              label={t('dashboard.today')}
              value={money(data.realised_today, { signed: true, unit: quote })}
              tone={pnlTone(data.realised_today)}
            />
            <Figure
              testID="drawdown"
              label={t('dashboard.drawdown')}
              value={t('dashboard.drawdownValue', {
                current: ratio(data.drawdown.current),
                maximum: ratio(data.drawdown.maximum),
              })}
              tone={isZero(data.drawdown.current) ? undefined : 'loss'}
            />
            <Figure testID="total-equity" label={t('dashboard.equityNow')} value={money(data.total_equity, { unit: quote })} />
            {fees ? <Figure label={t('dashboard.fees')} value={money(fees, { unit: quote })} /> : null}
          </Row>
        ) : (
          <Body>{t('common.loading')}</Body>
        )}
        <View style={styles.grid}>
          {data?.bots.map((bot) => <BotSummary key={bot.bot} bot={bot} quote={quote} />)}
        </View>
      </Card>

      {data && (shown.markets.length > 1 || data.bots.some((b) => b.pairs.length > 1)) ? (
        <Card title={t('pairs.title')} testID="traded-pairs">
          <PairBreakdown
            pairs={breakdownPairs(shown.markets.map((m) => m.pair), data.bots)}
            bots={data.bots}
            prices={prices}
            picked={market?.pair ?? null}
            onPick={(pair) => {
              const found = shown.markets.find((m) => m.pair === pair);
              if (found) shown.pick(found);
            }}
          />
        </Card>
      ) : null}

      <Card title={t('dashboard.equity')} testID="pnl-curve">
        {curve.points.length ? (
          <>
            <Pnl testID="pnl-curve-total" value={curve.total} unit={quote} />
            <EquityChart points={curve.points} colors={chartColors} dom={{ scrollEnabled: false, style: { height: 160 } }} />
          </>
        ) : closed.data ? (
          <Label>{t('dashboard.equityEmpty')}</Label>
        ) : closed.error ? (
          <ErrorLine testID="pnl-curve-error" message={t('common.error', { detail: messageOf(closed.error) })} />
        ) : (
          <Label>{t('common.loading')}</Label>
        )}
      </Card>

      <Card title={t('dashboard.recentTrades')} testID="recent-trades">
        {orders.length ? <Label>{t('dashboard.liveOrders')}</Label> : null}
        {orders.slice(0, 5).map((order) => (
          <Text
            key={order.message_id}
            testID="live-order"
            style={[styles.live, { color: theme.text, borderColor: theme.border }]}>
            {dateTime(order.timestamp)} · {t(`bot.${order.bot}`)} · {t(`trade.${order.side}`)}{' '}
            {order.pair} · {order.status}
            {order.average_fill_price ? ` @ ${money(order.average_fill_price)}` : ''}
          </Text>
        ))}
        {recent.data?.data.length ? (
          recent.data.data.map((trade) => <TradeRow key={trade.id} trade={trade} />)
        ) : (
          <Label>{t('dashboard.noTradeYet')}</Label>
        )}
      </Card>

      <Card title={t('dashboard.signals')} testID="signals">
        {market ? <MarketPicker markets={shown.markets} market={market} onPick={shown.pick} /> : null}
        {market === null ? <Label>{t('dashboard.noMarket')}</Label> : null}
        {signals.error && !shownSignals.length ? (
          <ErrorLine testID="signals-error" message={t('common.error', { detail: messageOf(signals.error) })} />
        ) : null}
        {market && !signals.error && !shownSignals.length ? (
          <Label>{signals.isFetching ? t('common.loading') : t('common.none')}</Label>
        ) : null}
        <View style={styles.grid}>
          {shownSignals.map((signal) => (
            <SignalCard key={signal.bot} signal={signal} />
          ))}
        </View>
      </Card>

      <Card title={t('dashboard.reallocations')} testID="reallocations">
        {data?.reallocations.length ? (
          data.reallocations.slice(0, 5).map((r) => (
            <Body key={r.id}>
              {dateTime(r.at)} ·{' '}
              {t('dashboard.reallocation', {
                amount: money(r.amount, { unit: quote }),
                from: t(`bot.${r.from_bot}`),
                to: t(`bot.${r.to_bot}`),
                ratio: ratio(r.ratio, { places: 0 }),
              })}
            </Body>
          ))
        ) : (
          <Label>{t('common.none')}</Label>
        )}
      </Card>
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  page: { padding: 14, maxWidth: 1100, width: '100%', alignSelf: 'center' },
  grid: { flexDirection: 'row', flexWrap: 'wrap', gap: 10 },
  live: { fontSize: 12, borderBottomWidth: StyleSheet.hairlineWidth, paddingVertical: 4 },
});
