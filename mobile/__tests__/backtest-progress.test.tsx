/**
 * A backtest's progress bar follows the job's progress events as they come: a multi-pair sweep
 * reports inside each ratio's run (candles of every pair, every ratio), and the bar and its
 * "done / total candles" move with each report, not once per ratio.
 */
import { act, render, screen } from '@testing-library/react-native';
import { StyleSheet } from 'react-native';

import { Progress } from '@/components/backtest/RunList';
import { i18n } from '@/i18n';
import { useLive } from '@/store/live';
import type { BacktestProgress } from '@/types/ws';

const event = (done: number, status: BacktestProgress['status'] = 'running'): BacktestProgress => ({
  type: 'backtest_progress',
  job_id: 4,
  user_id: 1,
  message_id: `m-${done}`,
  timestamp: '2026-12-05T00:00:00Z',
  status,
  candles_done: done,
  // two pairs of 73,000 and 72,500 candles, two ratios
  candles_total: 291_000,
});

/** As the socket delivers it. */
const frame = (done: number, status: BacktestProgress['status'] = 'running') =>
  ({ type: 'event', topic: 'backtests', cursor: `c-${done}`, data: event(done, status) }) as const;

const width = () => StyleSheet.flatten(screen.getByTestId('run-progress-bar').props.style).width;

describe('the progress bar of a multi-pair sweep', () => {
  beforeEach(async () => {
    await i18n.changeLanguage('en');
    useLive.getState().reset();
  });

  it('moves with every report inside a ratio, then ends full', () => {
    render(<Progress jobId={4} status="queued" testID="run-progress" />);
    expect(screen.getByTestId('run-progress')).toHaveTextContent(/Waiting for the first progress/);
    for (const [done, shown, bar] of [
      [0, '0 / 291,000 candles', '0%'],
      [36_375, '36,375 / 291,000 candles', '12.5%'],
      [72_750, '72,750 / 291,000 candles', '25%'],
      [181_875, '181,875 / 291,000 candles', '62.5%'],
    ] as const) {
      act(() => useLive.getState().apply(frame(done)));
      expect(screen.getByTestId('run-progress')).toHaveTextContent(new RegExp(`^${shown}`));
      expect(width()).toBe(bar);
    }
    act(() => useLive.getState().apply(frame(291_000, 'succeeded')));
    expect(screen.getByTestId('run-progress')).toHaveTextContent('291,000 / 291,000 candles · Done');
    expect(width()).toBe('100%');
  });
});
