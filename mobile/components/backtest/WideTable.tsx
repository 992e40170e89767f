/**
 * The backtest result tables: one look (row lines, right-aligned tabular figures), and a table
 * wider than a phone fills the card when there is room and scrolls sideways when there is not
 * (it never squeezes its figures, never overflows the screen).
 */
import type { ReactNode } from 'react';
import { ScrollView, StyleSheet, View } from 'react-native';

/** The least width of a column: money of 8 digits at 13 px, or a two-word heading. */
export const COLUMN_WIDTH = 95;

export function WideTable({ columns, first = COLUMN_WIDTH, children, testID }: {
  /** columns after the first */
  columns: number;
  /** the first column's width */
  first?: number;
  children: ReactNode;
  testID?: string;
}) {
  return (
    <ScrollView horizontal testID={testID} style={styles.shrink} contentContainerStyle={styles.fill}>
      <View testID={testID && `${testID}-content`} style={[styles.fill, { minWidth: first + COLUMN_WIDTH * columns }]}>
        {children}
      </View>
    </ScrollView>
  );
}

export const table = StyleSheet.create({
  tr: { flexDirection: 'row', borderBottomWidth: StyleSheet.hairlineWidth, paddingVertical: 3 },
  td: { flex: 1, fontSize: 13, textAlign: 'right', fontVariant: ['tabular-nums'], paddingLeft: 6 },
  head: { fontWeight: '600' },
  name: { textAlign: 'left' },
});

// beside a fixed column (MetricsTable's names) the table takes the width left, no more
const styles = StyleSheet.create({ fill: { flexGrow: 1 }, shrink: { flexGrow: 1, flexShrink: 1, minWidth: 0 } });
