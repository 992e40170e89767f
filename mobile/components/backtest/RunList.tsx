/**
 * Your backtest runs (kept on the server, per user): live progress of those running
 * (candles done / total, from /ws), open, rename, delete, and pick several to compare.
 */
import { useRouter } from 'expo-router';
import { useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Button, Chip, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useBacktests, useDeleteBacktest, useRenameBacktest } from '@/hooks/backtests';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import type { Schemas } from '@/services/api';
import { messageOf } from '@/services/errors';
import { formatPercent } from '@/lib/decimal';
import { useLive } from '@/store/live';

type Job = Schemas['BacktestJobPublic'];

/** The market of a run: its pair, or its first pair and how many more ("BTC/USDT +2"). */
function marketOf(pair: string | undefined, pairs: string[] | null | undefined): string {
  if (pairs && pairs.length > 1) return `${pairs[0]} +${pairs.length - 1}`;
  return pair ?? '';
}

/**
 * What a run is, in one line: its name, else its strategy and market (every pair counted); a
 * portfolio's reallocation ratio, or the range of a sweep's, as percentages ("↻ 10–50 %").
 */
export function runTitle(job: Job, locale = 'en'): string {
  const r = job.request as {
    strategy?: string;
    strategies?: string[];
    safe_strategy?: string;
    aggressive_strategy?: string;
    sweep?: string | null;
    reallocation?: string | number | null;
    ratios?: string[] | null;
    pair?: string;
    pairs?: string[] | null;
    timeframe?: string;
  };
  const percent = (value: string) => {
    try {
      return formatPercent(value, locale);
    } catch {
      return value;
    }
  };
  const ratios = r.ratios?.length ? r.ratios : [String(r.reallocation ?? '0.3')];
  const ratio = r.sweep && !r.ratios?.length
    ? r.sweep
    : ratios.length > 1
      ? `${percent(ratios[0]!).replace(/\s%$/, '')}–${percent(ratios.at(-1)!)}`
      : percent(ratios[0]!);
  const portfolio = job.kind === 'portfolio' ? `${r.safe_strategy} + ${r.aggressive_strategy} · ↻ ${ratio}` : null;
  const what = portfolio ?? r.strategy ?? r.strategies?.join(' / ') ?? job.kind;
  return job.name ?? `#${job.id} ${what} · ${marketOf(r.pair, r.pairs)} ${r.timeframe ?? ''}`;
}

function statusTone(status: string): 'ok' | 'warn' | 'bad' | undefined {
  return status === 'succeeded' ? 'ok' : status === 'failed' ? 'bad' : 'warn';
}

/**
 * A run's progress from /ws: candles simulated of the total (every strategy's, for a
 * comparison); kept once done, so a run that finished before the screen caught up still shows
 * how far it went.
 */
export function Progress({ jobId, status, testID }: { jobId: number; status?: string; testID: string }) {
  const theme = useTheme();
  const { t, locale } = useFormat();
  const live = useLive((s) => s.backtests[jobId]);
  const state = live?.status ?? status;
  if (!live && state !== 'queued' && state !== 'running') return null;
  const done = live?.candles_done ?? 0;
  const total = live?.candles_total ?? 0;
  const share = total ? done / total : 0;
  return (
    <View style={styles.progress}>
      <View style={[styles.track, { backgroundColor: theme.chip }]}>
        <View testID={`${testID}-bar`} style={{ width: `${share * 100}%`, height: 6, borderRadius: 3, backgroundColor: theme.primary }} />
      </View>
      <Text testID={testID} style={{ color: theme.muted, fontSize: 12 }}>
        {total ? t('backtest.progress', { done: done.toLocaleString(locale), total: total.toLocaleString(locale) }) : t('backtest.waiting')}
        {state ? ` · ${t(`backtest.status.${state}`)}` : ''}
      </Text>
    </View>
  );
}

export function RunList({ selected, onSelect }: { selected: number[]; onSelect: (ids: number[]) => void }) {
  const theme = useTheme();
  const { t, dateTime, locale } = useFormat();
  const router = useRouter();
  const runs = useBacktests();
  const rename = useRenameBacktest();
  const remove = useDeleteBacktest();
  const [editing, setEditing] = useState<{ id: number; name: string } | null>(null);
  const [deleting, setDeleting] = useState<Job | null>(null);
  const jobs = runs.data?.data ?? [];
  if (!jobs.length) return <Label>{runs.isLoading ? t('common.loading') : t('backtest.noRuns')}</Label>;
  return (
    <View testID="backtest-runs" style={{ gap: 6 }}>
      {jobs.map((job) => {
        const picked = selected.includes(job.id);
        const done = job.status === 'succeeded';
        return (
          <View key={job.id} testID={`run-${job.id}`} style={[styles.run, { borderColor: theme.border }]}>
            <Row>
              {done ? (
                <Pressable
                  testID={`run-${job.id}-select`}
                  accessibilityRole="checkbox"
                  accessibilityState={{ checked: picked }}
                  onPress={() => onSelect(picked ? selected.filter((id) => id !== job.id) : [...selected, job.id])}
                  style={[styles.box, { borderColor: theme.primary, backgroundColor: picked ? theme.primary : 'transparent' }]}
                />
              ) : null}
              <Text testID={`run-${job.id}-title`} style={[styles.title, { color: theme.text }]}>
                {runTitle(job, locale)}
              </Text>
              <Chip testID={`run-${job.id}-status`} tone={statusTone(job.status)} text={t(`backtest.status.${job.status}`)} />
              <Label>{dateTime(job.created_at)}</Label>
            </Row>
            {job.status === 'queued' || job.status === 'running' ? (
              <Progress jobId={job.id} status={job.status} testID={`run-${job.id}-progress`} />
            ) : null}
            {job.error ? <ErrorLine message={job.error} /> : null}
            {editing?.id === job.id ? (
              <Row>
                <TextField
                  testID={`run-${job.id}-name`}
                  label={t('backtest.name')}
                  value={editing.name}
                  onChange={(name) => setEditing({ id: job.id, name })}
                />
                <Button
                  testID={`run-${job.id}-save`}
                  title={t('common.save')}
                  busy={rename.isPending}
                  onPress={() => rename.mutate({ id: job.id, name: editing.name }, { onSuccess: () => setEditing(null) })}
                />
                <Button kind="secondary" title={t('common.cancel')} onPress={() => setEditing(null)} />
              </Row>
            ) : (
              <Row>
                {done ? (
                  <Button
                    testID={`run-${job.id}-open`}
                    kind="secondary"
                    title={t('backtest.open')}
                    onPress={() => router.push({ pathname: '/backtest/[id]', params: { id: String(job.id) } })}
                  />
                ) : null}
                <Button
                  testID={`run-${job.id}-rename`}
                  kind="secondary"
                  title={t('backtest.rename')}
                  onPress={() => setEditing({ id: job.id, name: job.name ?? '' })}
                />
                {job.status !== 'queued' && job.status !== 'running' ? (
                  <Button testID={`run-${job.id}-delete`} kind="danger" title={t('backtest.delete')} onPress={() => setDeleting(job)} />
                ) : null}
              </Row>
            )}
          </View>
        );
      })}
      <ErrorLine message={rename.error ? messageOf(rename.error) : remove.error ? messageOf(remove.error) : null} />
      <ConfirmDialog
        visible={deleting !== null}
        title={t('backtest.deleteTitle')}
        body={deleting ? t('backtest.deleteBody', { run: runTitle(deleting, locale) }) : ''}
        confirmLabel={t('backtest.delete')}
        danger
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          if (deleting) {
            onSelect(selected.filter((id) => id !== deleting.id));
            remove.mutate(deleting.id);
          }
          setDeleting(null);
        }}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  run: { borderWidth: 1, borderRadius: 8, padding: 10, gap: 6 },
  title: { fontWeight: '600', flexShrink: 1 },
  box: { width: 18, height: 18, borderWidth: 2, borderRadius: 4 },
  progress: { gap: 4, minWidth: 260, flexGrow: 1 },
  track: { height: 6, borderRadius: 3, overflow: 'hidden' },
});
