/** Formatting in the current language: money and ratios from strings, ages, dates. */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

import { formatDecimal, formatRatio, type FormatOptions } from '@/lib/decimal';

export function ageKey(ms: number): { key: string; count: number } {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 5) return { key: 'age.now', count: 0 };
  if (seconds < 60) return { key: 'age.seconds', count: seconds };
  if (seconds < 3600) return { key: 'age.minutes', count: Math.floor(seconds / 60) };
  if (seconds < 86400) return { key: 'age.hours', count: Math.floor(seconds / 3600) };
  return { key: 'age.days', count: Math.floor(seconds / 86400) };
}

/**
 * One Intl.DateTimeFormat a language: `Date.toLocaleString(locale, options)` builds a new one
 * at every call, which is most of a trade row's formatting cost.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

export function formatDateTime(iso: string, locale: string): string {
  let format = dateTimeFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' });
    dateTimeFormats.set(locale, format);
  }
  return `${format.format(new Date(iso))} UTC`;
}

/** The same object while the language stays the same (a dependency for memos and selects). */
export function useFormat() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  return useMemo(
    () => ({
      t,
      locale,
      money: (value: string, options: Omit<FormatOptions, 'locale'> = {}) =>
        formatDecimal(value, { locale, ...options }),
      ratio: (value: string, options: Omit<FormatOptions, 'locale' | 'unit'> = {}) =>
        formatRatio(value, { locale, ...options }),
      age: (since: number, now = Date.now()) => {
        const { key, count } = ageKey(now - since);
        return t(key, { count });
      },
      dateTime: (iso: string) => formatDateTime(iso, locale),
      // a value that rounds to zero is written 0, never -0 ("-0.00" for -0.001)
      number: (value: number, digits = 2) =>
        (Math.abs(value) < 0.5 * 10 ** -digits ? 0 : value).toLocaleString(locale, {
          maximumFractionDigits: digits,
          minimumFractionDigits: digits,
        }),
    }),
    [t, locale],
  );
}

export type Format = ReturnType<typeof useFormat>;
