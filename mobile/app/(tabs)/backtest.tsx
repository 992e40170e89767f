/** Backtest: launch a run on stored data, follow it live, reopen, rename, delete, compare. */
import { useRouter } from 'expo-router';
import { useState } from 'react';
import { ScrollView, StyleSheet } from 'react-native';

import { BacktestForm } from '@/components/backtest/BacktestForm';
import { PortfolioForm } from '@/components/backtest/PortfolioForm';
import { Progress, RunList } from '@/components/backtest/RunList';
import { Button, Card, Label, Row } from '@/components/ui';
import { useBacktestResult } from '@/hooks/backtests';
import { useFormat } from '@/hooks/useFormat';
import { useLive } from '@/store/live';

/**
 * The run just launched: its live progress, then a way to its result. The result is fetched as
 * soon as the socket says the run succeeded, so opening it shows it from the query cache.
 */
function CurrentRun({ id, testID = 'current-run' }: { id: number; testID?: string }) {
  const { t } = useFormat();
  const router = useRouter();
  const status = useLive((s) => s.backtests[id]?.status);
  useBacktestResult(id, status === 'succeeded');
  return (
    <Row style={styles.current}>
      <Label>#{id}</Label>
      <Progress jobId={id} status="queued" testID={`${testID}-progress`} />
      {status === 'succeeded' ? (
        <Button
          testID={`${testID}-open`}
          title={t('backtest.open')}
          onPress={() => router.push({ pathname: '/backtest/[id]', params: { id: String(id) } })}
        />
      ) : null}
    </Row>
  );
}

export default function BacktestScreen() {
  const { t } = useFormat();
  const router = useRouter();
  const [selected, setSelected] = useState<number[]>([]);
  const [current, setCurrent] = useState<number | null>(null);
  const [currentPortfolio, setCurrentPortfolio] = useState<number | null>(null);
  return (
    <ScrollView testID="backtest" contentContainerStyle={styles.page}>
      <Card title={t('backtest.new')}>
        <BacktestForm onLaunched={(job) => setCurrent(job.id)} />
        {current !== null ? <CurrentRun id={current} /> : null}
      </Card>
      <Card title={t('portfolio.title')} testID="portfolio-card">
        <PortfolioForm onLaunched={(job) => setCurrentPortfolio(job.id)} />
        {currentPortfolio !== null ? <CurrentRun id={currentPortfolio} testID="current-portfolio" /> : null}
      </Card>
      <Card
        title={t('backtest.runs')}
        right={
          <Row>
            <Label>{t('backtest.selected', { count: selected.length })}</Label>
            <Button
              testID="backtest-compare"
              title={t('backtest.compare')}
              disabled={selected.length < 2}
              onPress={() => router.push({ pathname: '/backtest/compare', params: { ids: selected.join(',') } })}
            />
          </Row>
        }>
        <RunList selected={selected} onSelect={setSelected} />
      </Card>
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  page: { padding: 14, maxWidth: 1100, width: '100%', alignSelf: 'center' },
  current: { alignItems: 'center', marginTop: 6 },
});
