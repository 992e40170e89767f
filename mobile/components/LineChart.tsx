/** A small line chart (react-native-svg: web, iOS, Android): an equity or P&L curve. */
import { useState } from 'react';
import { StyleSheet, Text, View, type LayoutChangeEvent } from 'react-native';
import Svg, { Line, Polyline } from 'react-native-svg';

import { useTheme } from '@/hooks/useTheme';

export interface Point {
  /** epoch ms */
  t: number;
  /** drawing coordinate only (the label shows the exact string) */
  y: number;
}

export function LineChart({
  points,
  height = 140,
  first,
  last,
  testID,
}: {
  points: Point[];
  height?: number;
  /** labels of the first and last values, formatted from their strings */
  first: string;
  last: string;
  testID?: string;
}) {
  const theme = useTheme();
  const [width, setWidth] = useState(0);
  const onLayout = (event: LayoutChangeEvent) => setWidth(event.nativeEvent.layout.width);
  const ys = points.map((p) => p.y);
  const low = Math.min(0, ...ys);
  const high = Math.max(0, ...ys);
  const span = high - low || 1;
  const t0 = points[0]?.t ?? 0;
  const t1 = points[points.length - 1]?.t ?? 1;
  const tSpan = t1 - t0 || 1;
  const x = (t: number) => ((t - t0) / tSpan) * (width - 8) + 4;
  const y = (v: number) => height - 6 - ((v - low) / span) * (height - 12);
  const finalY = points[points.length - 1]?.y ?? 0;
  const color = finalY >= 0 ? theme.gain : theme.loss;
  return (
    <View testID={testID} onLayout={onLayout} style={{ height: height + 18 }}>
      {width > 0 && points.length > 1 ? (
        <Svg width={width} height={height}>
          <Line x1={0} x2={width} y1={y(0)} y2={y(0)} stroke={theme.border} strokeDasharray="4 4" />
          <Polyline
            points={points.map((p) => `${x(p.t).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ')}
            fill="none"
            stroke={color}
            strokeWidth={2}
          />
        </Svg>
      ) : (
        <View style={{ height }} />
      )}
      <View style={styles.labels}>
        <Text style={[styles.label, { color: theme.muted }]}>{first}</Text>
        <Text style={[styles.label, { color }]}>{last}</Text>
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  labels: { flexDirection: 'row', justifyContent: 'space-between' },
  label: { fontSize: 11, fontVariant: ['tabular-nums'] },
});
