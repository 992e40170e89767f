/** A bot at a glance: status, capital, realised P&L, risk badges (risk ratio, streak). */
import { useRouter } from 'expo-router';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { Chip, Figure, Row, pnlTone } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { compareDecimals } from '@/lib/decimal';
import type { Schemas } from '@/services/api';

export function statusTone(status: Schemas['BotStatus']): 'ok' | 'warn' | 'bad' {
  return status === 'running' ? 'ok' : status === 'paused' ? 'warn' : 'bad';
}

export function RiskBadges({ risk }: { risk: Schemas['RiskStatePublic'] }) {
  const { t, ratio } = useFormat();
  const reduced = compareDecimals(risk.current_risk_ratio, risk.base_risk_ratio) < 0;
  return (
    <Row>
      <Chip
        testID="risk-ratio"
        tone={reduced ? 'warn' : undefined}
        text={`${t('bot.risk')} ${ratio(risk.current_risk_ratio)}`}
      />
      <Chip
        testID="risk-streak"
        tone={risk.losing_streak >= 2 ? 'bad' : risk.losing_streak === 1 ? 'warn' : undefined}
        text={t('common.labelled', { label: t('bot.streak'), value: t('bot.streakValue', { count: risk.losing_streak }) })}
      />
    </Row>
  );
}

export function BotSummary({ bot, quote }: { bot: Schemas['BotPortfolioPublic']; quote: string }) {
  const theme = useTheme();
  const { t, money } = useFormat();
  const router = useRouter();
  return (
      <Pressable
        testID={`bot-summary-${bot.bot}`}
        accessibilityRole="link"
        onPress={() => router.push({ pathname: '/bot/[id]', params: { id: bot.bot } })}
        style={[styles.box, { borderColor: theme.border }]}>
        <View style={styles.header}>
          <Text style={[styles.name, { color: theme.text }]}>{t(`bot.${bot.bot}`)}</Text>
          <Chip testID={`bot-status-${bot.bot}`} tone={statusTone(bot.status)} text={t(`bot.status.${bot.status}`)} />
        </View>
        <Row>
          <Figure label={t('bot.capital')} value={money(bot.capital, { unit: quote })} />
          <Figure
            label={t('dashboard.realisedPnl')}
            value={money(bot.realised_pnl, { signed: true, unit: quote })}
            tone={pnlTone(bot.realised_pnl)}
          />
          <Figure
            label={t('dashboard.unrealisedPnl')}
            value={
              money(bot.unrealised_pnl, { signed: true, unit: quote }) +
              (bot.unpriced_positions ? ` (${t('dashboard.unpriced', { count: bot.unpriced_positions })})` : '')
            }
            tone={pnlTone(bot.unrealised_pnl)}
          />
          <Figure
            label={t('dashboard.today')}
            value={money(bot.risk.realised_today, { signed: true, unit: quote })}
            tone={pnlTone(bot.risk.realised_today)}
          />
          <Figure
            label={t('bot.winRate')}
            value={bot.win_rate === null || bot.win_rate === undefined ? '—' : `${Math.round(bot.win_rate * 100)} %`}
          />
        </Row>
        <RiskBadges risk={bot.risk} />
      </Pressable>
  );
}

const styles = StyleSheet.create({
  box: { borderWidth: 1, borderRadius: 10, padding: 12, gap: 8, flexGrow: 1, flexBasis: 300 },
  header: { flexDirection: 'row', alignItems: 'center', justifyContent: 'space-between' },
  name: { fontSize: 16, fontWeight: '700' },
});
