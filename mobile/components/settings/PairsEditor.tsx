/** Trading pairs: add one (or reactivate a known one), activate or deactivate each. */
import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { Body, Button, Chip, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useAddPair, usePairs, useSetPairActive } from '@/hooks/settings';
import { useFormat } from '@/hooks/useFormat';
import { ApiError, messageOf } from '@/services/errors';

export function PairsEditor({ canEdit }: { canEdit: boolean }) {
  const { t } = useFormat();
  const pairs = usePairs();
  const add = useAddPair();
  const toggle = useSetPairActive();
  const [exchange, setExchange] = useState('binance');
  const [symbol, setSymbol] = useState('');
  const fields = add.error instanceof ApiError ? add.error.fields : {};
  const unplaced = add.error && !fields.exchange && !fields.symbol ? messageOf(add.error) : null;
  return (
    <View testID="pairs" style={styles.box}>
      {pairs.data?.data.map((pair) => (
        <Row key={pair.id}>
          <Body testID={`pair-${pair.symbol}`} style={styles.name}>
            {pair.exchange} · {pair.symbol}
          </Body>
          <Chip
            testID={`pair-${pair.symbol}-state`}
            tone={pair.is_active ? 'ok' : undefined}
            text={pair.is_active ? t('settings.active') : t('settings.inactive')}
          />
          {canEdit ? (
            <Button
              testID={`pair-${pair.symbol}-toggle`}
              kind="secondary"
              title={pair.is_active ? t('settings.deactivate') : t('settings.activate')}
              busy={toggle.isPending && toggle.variables?.id === pair.id}
              onPress={() => toggle.mutate({ id: pair.id, active: !pair.is_active })}
            />
          ) : null}
        </Row>
      ))}
      <ErrorLine testID="pair-toggle-error" message={toggle.error ? messageOf(toggle.error) : null} />
      {canEdit ? (
        <>
          <Label>{t('settings.addPair')}</Label>
          <Row style={styles.form}>
            <TextField
              testID="pair-exchange"
              label={t('settings.exchange')}
              value={exchange}
              onChange={setExchange}
              error={fields.exchange}
            />
            <TextField
              testID="pair-symbol"
              label={t('settings.symbol')}
              value={symbol}
              placeholder="ETH/USDT"
              onChange={setSymbol}
              error={fields.symbol}
            />
            <Button
              testID="pair-add"
              title={t('settings.add')}
              busy={add.isPending}
              disabled={!symbol.trim()}
              onPress={() =>
                add.mutate(
                  { exchange: exchange.trim(), symbol: symbol.trim().toUpperCase() },
                  { onSuccess: () => setSymbol('') },
                )
              }
            />
          </Row>
          <ErrorLine testID="pair-add-error" message={unplaced} />
        </>
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 6 },
  name: { minWidth: 160 },
  form: { alignItems: 'flex-start' },
});
