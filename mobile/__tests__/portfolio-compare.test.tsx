/**
 * The per-bot metrics card shared by the one-pair and the multi-pair portfolio results: a column
 * per report (money from its strings), the ratio picker of a sweep, and a table that keeps its
 * columns' width on a phone (it scrolls sideways instead of squeezing the figures).
 */
import { fireEvent, render, screen } from '@testing-library/react-native';
import { useState } from 'react';
import { StyleSheet, Text } from 'react-native';

import { PortfolioCompare } from '@/components/backtest/PortfolioCompare';
import { COLUMN_WIDTH, WideTable } from '@/components/backtest/WideTable';
import { i18n } from '@/i18n';
import type { MetricsRow } from '@/lib/backtest';

const report = (final: string) => ({ initial_capital: '1000', final_capital: final, total_trades: 3 }) as unknown as MetricsRow;

const RUNS: Record<string, MetricsRow[]> = {
  '0.1': [report('1100.5'), report('900.25'), report('2000.75')],
  '0.3': [report('1200'), report('800'), report('2000.123456')],
};

function Sweep() {
  const [ratio, setRatio] = useState('0.3');
  return (
    <PortfolioCompare
      name="multipair"
      ratios={Object.keys(RUNS)}
      ratio={ratio}
      onRatio={setRatio}
      reports={RUNS[ratio]!}
      titles={['Safe', 'Aggressive', 'Combined']}
    />
  );
}

describe('the portfolio compare card', () => {
  beforeEach(async () => {
    await i18n.changeLanguage('en');
  });

  it("shows every report's metrics at the picked ratio, and another ratio's when picked", () => {
    render(<Sweep />);
    expect(screen.getByTestId('multipair-compare')).toBeTruthy();
    expect(screen.getByText(i18n.t('portfolio.compareTitle', { ratio: '30 %' }))).toBeTruthy();
    expect(screen.getByTestId('multipair-metrics-final_capital-0')).toHaveTextContent('1,200.00');
    expect(screen.getByTestId('multipair-metrics-final_capital-2')).toHaveTextContent('2,000.12');
    expect(screen.getByTestId('multipair-ratio-0.3')).toBeSelected();
    fireEvent.press(screen.getByTestId('multipair-ratio-0.1'));
    expect(screen.getByTestId('multipair-metrics-final_capital-0')).toHaveTextContent('1,100.50');
    expect(screen.getByTestId('multipair-metrics-final_capital-1')).toHaveTextContent('900.25');
    expect(screen.getByText(i18n.t('portfolio.compareTitle', { ratio: '10 %' }))).toBeTruthy();
  });

  it('has no ratio picker for one ratio, and shows what is given under the table', () => {
    render(
      <PortfolioCompare
        name="portfolio"
        ratios={['0.3']}
        ratio="0.3"
        onRatio={() => undefined}
        reports={RUNS['0.3']!}
        titles={['Safe', 'Aggressive', 'Combined']}
        after={<Text>moved 12.34</Text>}
      />,
    );
    expect(screen.queryByTestId('portfolio-ratio-0.3')).toBeNull();
    expect(screen.getByTestId('portfolio-metrics-final_capital-1')).toHaveTextContent('800.00');
    expect(screen.getByText('moved 12.34')).toBeTruthy();
  });
});

describe('a wide table', () => {
  it('keeps every column its least width and scrolls sideways', () => {
    render(
      <WideTable columns={4} first={170} testID="wide">
        <></>
      </WideTable>,
    );
    expect(screen.getByTestId('wide').props.horizontal).toBe(true);
    expect(StyleSheet.flatten(screen.getByTestId('wide-content').props.style).minWidth).toBe(170 + 4 * COLUMN_WIDTH);
  });
});

describe('the metrics table on a phone', () => {
  const five = [report('1000'), report('2000'), report('21161.51'), report('4252.86'), report('1219.33')];
  const layout = (width: number) => ({ nativeEvent: { layout: { x: 0, y: 0, width, height: 600 } } });
  const flat = (id: string) => StyleSheet.flatten(screen.getByTestId(id).props.style);

  beforeEach(async () => {
    await i18n.changeLanguage('fr');
  });
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('shows whole columns beside the names at 390 px, snaps to their edges and says how many are in view', () => {
    render(<PortfolioCompare name="multipair" ratios={['0.3']} ratio="0.3" onRatio={() => undefined} reports={five} titles={['A', 'B', 'C', 'D', 'E']} />);
    // a 390 px screen: the card's table is 332 px wide
    fireEvent(screen.getByTestId('multipair-metrics'), 'layout', layout(332));
    expect(flat('multipair-metrics-names').width).toBe(133);
    fireEvent(screen.getByTestId('multipair-metrics-values'), 'layout', layout(332 - 133));
    // two columns of 99.5 px in the 199 px left (none cut at the screen's edge), five to scroll
    expect(flat('multipair-metrics-values-content').width).toBe(5 * 99.5);
    expect(screen.getByTestId('multipair-metrics-values').props.snapToInterval).toBe(99.5);
    expect(screen.getByTestId('multipair-metrics-values-hint')).toHaveTextContent(/^2 colonnes sur 5 visibles/);
    // no column narrower than its least width: every value on one line
    expect(99.5).toBeGreaterThanOrEqual(COLUMN_WIDTH);
    expect(screen.getByTestId('multipair-metrics-final_capital-2')).toHaveTextContent('21\u202f161,51');
    expect(screen.getByTestId('multipair-metrics-final_capital-2').props.numberOfLines).toBe(1);
  });

  it('stretches the columns to fill a wide card, with no scrolling and no hint', () => {
    render(<PortfolioCompare name="portfolio" ratios={['0.3']} ratio="0.3" onRatio={() => undefined} reports={five} titles={['A', 'B', 'C', 'D', 'E']} />);
    fireEvent(screen.getByTestId('portfolio-metrics'), 'layout', layout(1040));
    expect(flat('portfolio-metrics-names').width).toBe(150);
    fireEvent(screen.getByTestId('portfolio-metrics-values'), 'layout', layout(890));
    expect(flat('portfolio-metrics-values-content').width).toBe(890);
    expect(screen.getByTestId('portfolio-metrics-values').props.snapToInterval).toBeUndefined();
    expect(screen.queryByTestId('portfolio-metrics-values-hint')).toBeNull();
  });
});
