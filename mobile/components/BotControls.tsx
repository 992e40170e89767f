/**
 * Start / stop / pause / resume behind a confirmation. A command is sent once: on failure the
 * error is shown and the user decides to send it again.
 */
import { useState } from 'react';
import { View, StyleSheet } from 'react-native';

import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Button, ErrorLine, Label } from '@/components/ui';
import { useBotCommand, type BotAction } from '@/hooks/queries';
import { useFormat } from '@/hooks/useFormat';
import type { Schemas } from '@/services/api';
import { ApiError, messageOf } from '@/services/errors';
import { useOnline } from '@/store/live';

export function actionsFor(status: Schemas['BotStatus']): BotAction[] {
  if (status === 'running') return ['pause', 'stop'];
  if (status === 'paused') return ['resume', 'stop'];
  return ['start'];
}

export function BotControls({ bot }: { bot: Schemas['BotPublic'] }) {
  const { t } = useFormat();
  const command = useBotCommand();
  const online = useOnline();
  const [asking, setAsking] = useState<BotAction | null>(null);
  const [sent, setSent] = useState<BotAction | null>(null);
  const name = t(`bot.${bot.kind}`);
  const error = command.error;
  const errorText =
    error instanceof ApiError && error.status === 403 ? t('common.notAllowed') : error ? messageOf(error) : null;
  return (
    <View style={styles.box}>
      <View style={styles.row}>
        {actionsFor(bot.status).map((action) => (
          <Button
            key={action}
            testID={`bot-${bot.kind}-${action}`}
            kind={action === 'stop' ? 'danger' : action === 'pause' ? 'secondary' : 'primary'}
            title={t(`bot.actions.${action}`)}
            busy={command.isPending && command.variables?.action === action}
            disabled={command.isPending || !online}
            onPress={() => setAsking(action)}
          />
        ))}
      </View>
      {online ? null : <ErrorLine testID={`bot-${bot.kind}-offline`} message={t('bot.offline')} />}
      {sent && !error ? <Label>{t('bot.sent', { action: t(`bot.actions.${sent}`) })}</Label> : null}
      <ErrorLine testID={`bot-${bot.kind}-command-error`} message={errorText} />
      <ConfirmDialog
        visible={asking !== null}
        title={asking ? t('bot.confirmTitle', { action: t(`bot.actions.${asking}`), bot: name }) : ''}
        body={asking ? t(`bot.confirmBody.${asking}`) : ''}
        confirmLabel={asking ? t(`bot.actions.${asking}`) : ''}
        danger={asking === 'stop'}
        onCancel={() => setAsking(null)}
        onConfirm={() => {
          const action = asking;
          setAsking(null);
          if (!action) return;
          setSent(null);
          command.mutate({ bot: bot.kind, action }, { onSuccess: () => setSent(action) });
        }}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 6 },
  row: { flexDirection: 'row', gap: 8, flexWrap: 'wrap' },
});
