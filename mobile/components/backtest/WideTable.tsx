/**
 * The backtest result tables: one look (row lines, right-aligned tabular figures), and a table
 * wider than a phone fills the card when there is room and scrolls sideways when there is not
 * (it never squeezes its figures, never overflows the screen). Once its width is known, a table
 * that scrolls shows whole columns only: each column is widened so that a whole number of them
 * fill the view, scrolling stops at a column's edge, and a line under it says how many of the
 * columns are in view (nothing is cut at the edge of the screen).
 */
import { useState, type ReactNode } from 'react';
import { Platform, ScrollView, StyleSheet, Text, View, type ViewStyle } from 'react-native';

import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';

/** The least width of a column: money of 8 digits at 13 px, or a two-word heading. */
export const COLUMN_WIDTH = 95;

/**
 * How `count` columns of at least `least` px sit in `view` px: all of them stretched to fill it,
 * or as many whole ones as fit (one at least), widened to fill it, the others scrolled to.
 */
export function columnLayout(view: number, count: number, least = COLUMN_WIDTH): { width: number; shown: number; total: number } {
  const fit = Math.max(1, Math.floor(view / least));
  if (count <= fit) return { width: view / Math.max(1, count), shown: count, total: view };
  const width = view / fit;
  return { width, shown: fit, total: width * count };
}

/** Scrolling stops at a column's edge, on the web (CSS scroll snap) as on a phone. */
const snapX = (Platform.OS === 'web' ? { scrollSnapType: 'x mandatory' } : {}) as ViewStyle;
export const snapStart = (Platform.OS === 'web' ? { scrollSnapAlign: 'start' } : {}) as ViewStyle;

export function WideTable({ columns, first = COLUMN_WIDTH, children, testID }: {
  /** columns after the first */
  columns: number;
  /** the first column's width (0: no first column in the scroller; else a column like the others) */
  first?: number;
  /** rows whose cells share the width (`table.td`: flex 1); a column's first cell may carry `snapStart` */
  children: ReactNode;
  testID?: string;
}) {
  const theme = useTheme();
  const { t } = useFormat();
  const [view, setView] = useState(0);
  const count = columns + (first > 0 ? 1 : 0);
  const layout = view > 0 ? columnLayout(view, count) : null;
  const scrolls = layout !== null && layout.shown < count;
  return (
    <View style={styles.shrink}>
      <ScrollView
        horizontal
        testID={testID}
        onLayout={(e) => setView(Math.floor(e.nativeEvent.layout.width))}
        snapToInterval={scrolls ? layout.width : undefined}
        decelerationRate={scrolls ? 'fast' : undefined}
        style={[styles.shrink, scrolls && snapX]}
        contentContainerStyle={styles.fill}>
        <View
          testID={testID && `${testID}-content`}
          style={[styles.fill, layout ? { width: layout.total } : { minWidth: first + COLUMN_WIDTH * columns }]}>
          {children}
        </View>
      </ScrollView>
      {scrolls ? (
        <Text testID={testID && `${testID}-hint`} style={[styles.hint, { color: theme.muted }]}>
          {t('backtest.moreColumns', { shown: layout.shown, count })}
        </Text>
      ) : null}
    </View>
  );
}

export const table = StyleSheet.create({
  tr: { flexDirection: 'row', borderBottomWidth: StyleSheet.hairlineWidth, paddingVertical: 3 },
  td: { flex: 1, fontSize: 13, textAlign: 'right', fontVariant: ['tabular-nums'], paddingLeft: 6 },
  head: { fontWeight: '600' },
  name: { textAlign: 'left' },
});

// beside a fixed column (MetricsTable's names) the table takes the width left, no more
const styles = StyleSheet.create({
  fill: { flexGrow: 1 },
  shrink: { flexGrow: 1, flexShrink: 1, minWidth: 0 },
  hint: { fontSize: 11, textAlign: 'right', marginTop: 4 },
});
