/**
 * Import a candle file for backtests: picked on the device (a file input on the web), sent with
 * its progress, stored by the API as a series. The series comes from the fields, else from the
 * file's name (`binance_BTC-USDT_1h.csv.gz`); the server's refusal lands on its field (the file's
 * line and column, the pair, the timeframe).
 */
import * as DocumentPicker from 'expo-document-picker';
import { useState } from 'react';
import { StyleSheet, View } from 'react-native';
import { useQueryClient } from '@tanstack/react-query';

import { Body, Button, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import type { Schemas } from '@/services/api';
import { ApiError, messageOf } from '@/services/errors';
import { uploadCandles, type PickedFile } from '@/services/upload';

const TYPES = ['text/csv', 'application/gzip', 'application/x-gzip', '.csv', '.gz'];

export function CandleImport({ onImported }: { onImported: (series: Schemas['SeriesPublic']) => void }) {
  const { t } = useFormat();
  const client = useQueryClient();
  const [picked, setPicked] = useState<PickedFile | null>(null);
  const [pair, setPair] = useState('');
  const [timeframe, setTimeframe] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Schemas['SeriesImportPublic'] | null>(null);

  const pick = async () => {
    const result = await DocumentPicker.getDocumentAsync({ type: TYPES, copyToCacheDirectory: true, base64: false });
    const asset = result.canceled ? null : result.assets[0];
    if (!asset) return;
    setPicked({ name: asset.name, uri: asset.uri, mimeType: asset.mimeType, size: asset.size, file: asset.file });
    setError(null);
    setDone(null);
  };

  const send = async () => {
    if (!picked) return;
    setError(null);
    setDone(null);
    setProgress(0);
    try {
      const answer = await uploadCandles(picked, { pair, timeframe }, (sent, total) => setProgress(sent / total));
      setDone(answer);
      await client.invalidateQueries({ queryKey: ['series'] });
      onImported(answer.series);
    } catch (failure) {
      setError(failure);
    } finally {
      setProgress(null);
    }
  };

  const fields = error instanceof ApiError ? error.fields : {};
  const fileError =
    fields.file ?? (error && !fields.pair && !fields.timeframe ? messageOf(error) : null);
  return (
    <View testID="candle-import" style={styles.box}>
      <Label>{t('backtest.import.title')}</Label>
      <Row style={styles.top}>
        <Button testID="import-pick" kind="secondary" title={t('backtest.import.pick')} onPress={() => void pick()} />
        <Label>{picked ? `${picked.name}${picked.size ? ` · ${t('backtest.import.size', { kib: Math.max(1, Math.round(picked.size / 1024)) })}` : ''}` : t('backtest.import.none')}</Label>
      </Row>
      <ErrorLine testID="import-file-error" message={fileError} />
      <Row style={styles.top}>
        <TextField
          testID="import-pair"
          label={t('backtest.import.pair')}
          placeholder={t('backtest.import.fromName')}
          value={pair}
          onChange={setPair}
          error={fields.pair ?? null}
        />
        <TextField
          testID="import-timeframe"
          label={t('backtest.import.timeframe')}
          placeholder={t('backtest.import.fromName')}
          value={timeframe}
          onChange={setTimeframe}
          error={fields.timeframe ?? null}
        />
      </Row>
      <Row>
        <Button
          testID="import-send"
          title={t('backtest.import.send')}
          busy={progress !== null}
          disabled={!picked}
          onPress={() => void send()}
        />
        {progress !== null ? (
          <>
            <View style={styles.bar}>
              <View style={[styles.fill, { width: `${Math.round(progress * 100)}%` }]} />
            </View>
            <Body testID="import-progress">{t('backtest.import.progress', { percent: Math.round(progress * 100) })}</Body>
          </>
        ) : null}
      </Row>
      {done ? (
        <Body testID="import-done">
          {t('backtest.import.done', {
            count: done.imported,
            series: `${done.series.exchange} ${done.series.pair} ${done.series.timeframe}`,
            stored: done.series.count,
          })}
          {done.gaps ? ` ${t('backtest.import.gaps', { count: done.gaps, missing: done.missing })}` : ''}
        </Body>
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 8 },
  top: { alignItems: 'center' },
  bar: { width: 120, height: 6, borderRadius: 3, backgroundColor: '#8884', overflow: 'hidden' },
  fill: { height: 6, backgroundColor: '#3b82f6' },
});
