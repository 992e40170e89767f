/** Dark and light palettes; the device's scheme unless the user picked one. */
import { useColorScheme } from 'react-native';

import { usePreferences } from '@/store/preferences';

export interface Palette {
  scheme: 'light' | 'dark';
  background: string;
  card: string;
  border: string;
  text: string;
  muted: string;
  primary: string;
  gain: string;
  loss: string;
  warning: string;
  warningText: string;
  danger: string;
  dangerText: string;
  chip: string;
}

export const LIGHT: Palette = {
  scheme: 'light',
  background: '#f4f6f8',
  card: '#ffffff',
  border: '#d9dee4',
  text: '#111827',
  muted: '#5b6472',
  primary: '#2563eb',
  gain: '#047857',
  loss: '#b91c1c',
  warning: '#fef3c7',
  warningText: '#78350f',
  danger: '#fee2e2',
  dangerText: '#7f1d1d',
  chip: '#e8edf3',
};

export const DARK: Palette = {
  scheme: 'dark',
  background: '#0b0f14',
  card: '#141a22',
  border: '#253040',
  text: '#e5e7eb',
  muted: '#9aa4b2',
  primary: '#60a5fa',
  gain: '#34d399',
  loss: '#f87171',
  warning: '#3b2f0b',
  warningText: '#fcd34d',
  danger: '#3f1111',
  dangerText: '#fca5a5',
  chip: '#1f2937',
};

export function useTheme(): Palette {
  const device = useColorScheme();
  const choice = usePreferences((s) => s.theme);
  const scheme = choice === 'system' ? (device === 'dark' ? 'dark' : 'light') : choice;
  return scheme === 'dark' ? DARK : LIGHT;
}
