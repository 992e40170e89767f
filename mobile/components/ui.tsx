/** Small building blocks shared by the screens (themed, accessible). */
import type { ReactNode } from 'react';
import {
  ActivityIndicator,
  Pressable,
  StyleSheet,
  Text,
  TextInput,
  View,
  type DimensionValue,
  type StyleProp,
  type TextStyle,
  type ViewStyle,
} from 'react-native';

import { useFormat } from '@/hooks/useFormat';
import { useTheme, type Palette } from '@/hooks/useTheme';
import { isNegative, isZero } from '@/lib/decimal';

export function Card({
  title,
  right,
  children,
  testID,
  style,
}: {
  title?: string;
  right?: ReactNode;
  children: ReactNode;
  testID?: string;
  style?: StyleProp<ViewStyle>;
}) {
  const theme = useTheme();
  return (
    <View
      testID={testID}
      style={[styles.card, { backgroundColor: theme.card, borderColor: theme.border }, style]}>
      {title ? (
        <View style={styles.cardHeader}>
          <Text accessibilityRole="header" style={[styles.cardTitle, { color: theme.text }]}>
            {title}
          </Text>
          {right}
        </View>
      ) : null}
      {children}
    </View>
  );
}

export function Label({ children, style }: { children: ReactNode; style?: StyleProp<TextStyle> }) {
  const theme = useTheme();
  return <Text style={[styles.label, { color: theme.muted }, style]}>{children}</Text>;
}

export function Body({
  children,
  style,
  testID,
}: {
  children: ReactNode;
  style?: StyleProp<TextStyle>;
  testID?: string;
}) {
  const theme = useTheme();
  return (
    <Text testID={testID} style={[styles.body, { color: theme.text }, style]}>
      {children}
    </Text>
  );
}

/** A label over a value, for figures. */
export function Figure({
  label,
  value,
  tone,
  testID,
}: {
  label: string;
  value: string;
  tone?: 'gain' | 'loss';
  testID?: string;
}) {
  const theme = useTheme();
  const color = tone === 'gain' ? theme.gain : tone === 'loss' ? theme.loss : theme.text;
  return (
    <View style={styles.figure}>
      <Label>{label}</Label>
      <Text testID={testID} style={[styles.figureValue, { color }]}>
        {value}
      </Text>
    </View>
  );
}

/** P&L from its decimal string: signed, coloured by its sign. */
export function Pnl({ value, unit, testID }: { value: string; unit?: string; testID?: string }) {
  const theme = useTheme();
  const { money } = useFormat();
  const color = isZero(value) ? theme.text : isNegative(value) ? theme.loss : theme.gain;
  return (
    <Text testID={testID} style={[styles.body, { color, fontVariant: ['tabular-nums'] }]}>
      {money(value, { signed: true, unit })}
    </Text>
  );
}

export function pnlTone(value: string | null | undefined): 'gain' | 'loss' | undefined {
  if (!value || isZero(value)) return undefined;
  return isNegative(value) ? 'loss' : 'gain';
}

export interface ChipProps {
  text: string;
  tone?: 'ok' | 'warn' | 'bad';
  testID?: string;
}

export function Chip(props: ChipProps) {
  return <ThemedChip {...props} theme={useTheme()} />;
}

/** A chip drawn with a palette it is given: for list rows, which take the theme from their list. */
export function ThemedChip({ text, tone, testID, theme }: ChipProps & { theme: Palette }) {
  const background =
    tone === 'bad' ? theme.danger : tone === 'warn' ? theme.warning : theme.chip;
  const color = tone === 'bad' ? theme.dangerText : tone === 'warn' ? theme.warningText : theme.text;
  return (
    <View style={[styles.chip, { backgroundColor: background }]}>
      <Text testID={testID} style={[styles.chipText, { color }]}>
        {text}
      </Text>
    </View>
  );
}

export function Button({
  title,
  onPress,
  kind = 'primary',
  disabled,
  busy,
  testID,
}: {
  title: string;
  onPress: () => void;
  kind?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
  busy?: boolean;
  testID?: string;
}) {
  const theme = useTheme();
  const background =
    kind === 'primary' ? theme.primary : kind === 'danger' ? theme.loss : theme.chip;
  const color = kind === 'secondary' ? theme.text : '#ffffff';
  return (
    <Pressable
      testID={testID}
      accessibilityRole="button"
      accessibilityState={{ disabled: disabled || busy }}
      disabled={disabled || busy}
      onPress={onPress}
      style={({ pressed }) => [
        styles.button,
        { backgroundColor: background, opacity: disabled ? 0.5 : pressed ? 0.8 : 1 },
      ]}>
      {busy ? <ActivityIndicator color={color} /> : <Text style={[styles.buttonText, { color }]}>{title}</Text>}
    </Pressable>
  );
}

/** A line saying what went wrong, in the danger colour. */
export function ErrorLine({ message, testID }: { message: string | null | undefined; testID?: string }) {
  const theme = useTheme();
  if (!message) return null;
  return (
    <Text testID={testID} accessibilityRole="alert" style={[styles.error, { color: theme.loss }]}>
      {message}
    </Text>
  );
}

/** A labelled text input with its error (the server's message for this field) under it. */
export function TextField({
  label,
  value,
  onChange,
  error,
  testID,
  placeholder,
  secure,
  inputMode,
  autoComplete,
  onSubmit,
  width = 180,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  error?: string | null;
  testID: string;
  placeholder?: string;
  secure?: boolean;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'url';
  autoComplete?: 'username' | 'current-password' | 'url';
  onSubmit?: () => void;
  width?: DimensionValue;
}) {
  const theme = useTheme();
  return (
    <View style={{ width }}>
      <Label>{label}</Label>
      <TextInput
        testID={testID}
        accessibilityLabel={label}
        value={value}
        onChangeText={onChange}
        placeholder={placeholder}
        placeholderTextColor={theme.muted}
        secureTextEntry={secure}
        autoCapitalize="none"
        autoCorrect={false}
        inputMode={inputMode}
        autoComplete={autoComplete}
        onSubmitEditing={onSubmit}
        style={[styles.input, { color: theme.text, borderColor: error ? theme.loss : theme.border }]}
      />
      <ErrorLine testID={`${testID}-error`} message={error} />
    </View>
  );
}

/** One of a few options, as a row of segments (a radio group). */
export function Choice<T extends string>({
  options,
  value,
  label,
  onChange,
  testID,
}: {
  options: readonly T[];
  value: T;
  label: (option: T) => string;
  onChange: (option: T) => void;
  testID: string;
}) {
  const theme = useTheme();
  return (
    <View style={styles.segmented} accessibilityRole="radiogroup">
      {options.map((option) => {
        const selected = option === value;
        return (
          <Pressable
            key={option}
            testID={`${testID}-${option}`}
            accessibilityRole="radio"
            accessibilityState={{ selected }}
            aria-selected={selected}
            onPress={() => onChange(option)}
            style={[
              styles.segment,
              { borderColor: theme.border, backgroundColor: selected ? theme.primary : theme.card },
            ]}>
            <Text style={{ color: selected ? '#ffffff' : theme.text }}>{label(option)}</Text>
          </Pressable>
        );
      })}
    </View>
  );
}

export function Row({ children, style }: { children: ReactNode; style?: StyleProp<ViewStyle> }) {
  return <View style={[styles.row, style]}>{children}</View>;
}

export const styles = StyleSheet.create({
  card: { borderWidth: 1, borderRadius: 10, padding: 14, marginBottom: 12, gap: 8 },
  cardHeader: { flexDirection: 'row', justifyContent: 'space-between', alignItems: 'center' },
  cardTitle: { fontSize: 16, fontWeight: '600' },
  label: { fontSize: 12 },
  body: { fontSize: 14 },
  figure: { minWidth: 130, marginRight: 16, marginBottom: 6 },
  figureValue: { fontSize: 18, fontWeight: '600', fontVariant: ['tabular-nums'] },
  chip: { borderRadius: 999, paddingHorizontal: 8, paddingVertical: 2, alignSelf: 'flex-start' },
  chipText: { fontSize: 12, fontWeight: '600' },
  button: {
    borderRadius: 8,
    paddingHorizontal: 14,
    paddingVertical: 9,
    alignItems: 'center',
    justifyContent: 'center',
    minHeight: 38,
  },
  buttonText: { fontSize: 14, fontWeight: '600' },
  error: { fontSize: 13 },
  row: { flexDirection: 'row', flexWrap: 'wrap', alignItems: 'center', gap: 8 },
  segmented: { flexDirection: 'row', flexWrap: 'wrap', gap: 6 },
  segment: { borderWidth: 1, borderRadius: 8, paddingHorizontal: 12, paddingVertical: 6 },
  input: { borderWidth: 1, borderRadius: 8, paddingHorizontal: 10, paddingVertical: 7, fontSize: 14 },
});
