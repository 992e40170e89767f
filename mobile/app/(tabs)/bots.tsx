/** Bots: each bot's status, strategy, capital, open positions, controls and quick settings. */
import { useRouter } from 'expo-router';
import { RefreshControl, ScrollView, StyleSheet, View } from 'react-native';

import { BotControls } from '@/components/BotControls';
import { BotSettingsForm } from '@/components/BotSettingsForm';
import { RiskBadges, statusTone } from '@/components/BotSummary';
import { ConnectionBanner } from '@/components/ConnectionBanner';
import { TradeRow } from '@/components/TradeRow';
import { Body, Button, Card, Chip, Figure, Label, Row } from '@/components/ui';
import { useActiveMarket, useBots, usePortfolio, useTrades } from '@/hooks/queries';
import { useFormat } from '@/hooks/useFormat';
import type { Schemas } from '@/services/api';
import { messageOf } from '@/services/errors';

function BotCard({
  bot,
  portfolio,
  quote,
}: {
  bot: Schemas['BotPublic'];
  portfolio: Schemas['BotPortfolioPublic'] | undefined;
  quote: string;
}) {
  const { t, money, dateTime } = useFormat();
  const router = useRouter();
  const open = useTrades({ bot: bot.kind, status: 'open', limit: 20 });
  return (
    <Card
      testID={`bot-card-${bot.kind}`}
      title={`${t(`bot.${bot.kind}`)} · ${bot.name}`}
      right={
        <Chip testID={`bot-card-${bot.kind}-status`} tone={statusTone(bot.status)} text={t(`bot.status.${bot.status}`)} />
      }>
      {!bot.driven ? <Chip testID={`bot-card-${bot.kind}-not-driven`} tone="bad" text={t('bot.notDriven')} /> : null}
      {bot.requested && bot.requested.status !== bot.status ? (
        <Label>
          {t('bot.requested', { action: bot.requested.action, by: bot.requested.by })} · {dateTime(bot.requested.at)}
        </Label>
      ) : null}
      <Row>
        <Figure label={t('bot.strategy')} value={bot.config.strategy} />
        <Figure label={t('bot.capital')} value={money(bot.capital, { unit: quote })} />
        <Figure label={t('bot.openTrades')} value={String(open.data?.count ?? '—')} />
      </Row>
      {portfolio ? <RiskBadges risk={portfolio.risk} /> : null}
      <BotControls bot={bot} />
      <Label>{t('bot.openPosition')}</Label>
      {open.data?.data.length ? (
        open.data.data.map((trade) => <TradeRow key={trade.id} trade={trade} />)
      ) : (
        <Body>{t('bot.noPosition')}</Body>
      )}
      <Label>{t('bot.settings')}</Label>
      <BotSettingsForm key={bot.updated_at} bot={bot} />
      <View style={{ flexDirection: 'row' }}>
        <Button
          testID={`bot-${bot.kind}-details`}
          kind="secondary"
          title={t('bot.details')}
          onPress={() => router.push({ pathname: '/bot/[id]', params: { id: bot.kind } })}
        />
      </View>
    </Card>
  );
}

export default function BotsScreen() {
  const bots = useBots();
  const portfolio = usePortfolio();
  const market = useActiveMarket();
  const quote = market.data?.pair.split('/')[1] ?? '';
  return (
    <ScrollView
      testID="bots"
      contentContainerStyle={styles.page}
      refreshControl={<RefreshControl refreshing={bots.isRefetching} onRefresh={() => void bots.refetch()} />}>
      <ConnectionBanner
        dataAt={bots.dataUpdatedAt}
        apiError={bots.error ? messageOf(bots.error) : null}
        onRetry={() => void bots.refetch()}
      />
      {bots.data?.data.map((bot) => (
        <BotCard
          key={bot.kind}
          bot={bot}
          quote={quote}
          portfolio={portfolio.data?.bots.find((b) => b.bot === bot.kind)}
        />
      ))}
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  page: { padding: 14, maxWidth: 1100, width: '100%', alignSelf: 'center' },
});
