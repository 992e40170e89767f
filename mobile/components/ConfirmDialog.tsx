/** A confirmation before anything that acts on money (works on web, iOS and Android alike). */
import { Modal, StyleSheet, Text, View } from 'react-native';
import { useTranslation } from 'react-i18next';

import { Button } from '@/components/ui';
import { useTheme } from '@/hooks/useTheme';

export function ConfirmDialog({
  visible,
  title,
  body,
  confirmLabel,
  danger,
  onConfirm,
  onCancel,
}: {
  visible: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const theme = useTheme();
  const { t } = useTranslation();
  return (
    <Modal visible={visible} transparent animationType="fade" onRequestClose={onCancel}>
      <View style={styles.backdrop}>
        <View
          testID="confirm-dialog"
          accessibilityRole="alert"
          style={[styles.box, { backgroundColor: theme.card, borderColor: theme.border }]}>
          <Text style={[styles.title, { color: theme.text }]}>{title}</Text>
          <Text style={[styles.body, { color: theme.muted }]}>{body}</Text>
          <View style={styles.actions}>
            <Button testID="confirm-cancel" kind="secondary" title={t('common.cancel')} onPress={onCancel} />
            <Button
              testID="confirm-ok"
              kind={danger ? 'danger' : 'primary'}
              title={confirmLabel}
              onPress={onConfirm}
            />
          </View>
        </View>
      </View>
    </Modal>
  );
}

const styles = StyleSheet.create({
  backdrop: {
    flex: 1,
    backgroundColor: 'rgba(0,0,0,0.45)',
    alignItems: 'center',
    justifyContent: 'center',
    padding: 24,
  },
  box: { borderRadius: 12, borderWidth: 1, padding: 18, gap: 10, maxWidth: 420, width: '100%' },
  title: { fontSize: 17, fontWeight: '700' },
  body: { fontSize: 14 },
  actions: { flexDirection: 'row', justifyContent: 'flex-end', gap: 10, marginTop: 6 },
});
