/**
 * The backtest result's trade list (issue 16: the result page shows its metrics and curves
 * first): no row is drawn in the first commit, the rows come after it, a page at a time, and
 * every trade is reachable through "show more". Money is formatted from the trade's strings.
 */
import { act, fireEvent, render, screen } from '@testing-library/react-native';

import { PAGE, STEP, TradeList } from '@/components/backtest/TradeList';
import { i18n } from '@/i18n';
import type { Schemas } from '@/services/api';

const COUNT = 2 * PAGE + 37;

/** Trade `i`: its entry time and entry price say which one it is. */
function trade(i: number): Schemas['BacktestTradePublic'] {
  const entry = new Date(Date.UTC(2018, 0, 1) + i * 3_600_000).toISOString();
  return {
    confidence: null,
    entry_price: `${10000 + i}.5`,
    entry_time: entry,
    exit_price: i === COUNT - 1 ? null : `${10100 + i}.25`,
    exit_time: i === COUNT - 1 ? null : entry,
    fees: '0.1',
    pnl: i === COUNT - 1 ? null : '99.75',
    pnl_percent: null,
    quantity: '0.01',
    reason: i === COUNT - 1 ? null : 'signal',
    stop_loss: null,
    take_profit: null,
  };
}

const TRADES = Array.from({ length: COUNT }, (_, i) => trade(i));
/** Lets `n` frames pass: each step is an animation frame, then a timer set from it. */
function frames(n: number) {
  for (let i = 0; i < n; i += 1) act(() => jest.runOnlyPendingTimers());
}
const rows = () => screen.queryAllByTestId('backtest-trade');

describe('the backtest trade list', () => {
  afterEach(() => jest.useRealTimers());

  it('draws after the first commit, then every trade page by page', async () => {
    await i18n.changeLanguage('en');
    jest.useFakeTimers();
    render(<TradeList trades={TRADES} title="Trades" />);
    // the first commit: the card and its title, no row yet
    expect(screen.getByText('Trades')).toBeTruthy();
    expect(rows()).toHaveLength(0);
    expect(screen.getByText('Loading…')).toBeTruthy();

    frames(2);
    expect(rows()).toHaveLength(STEP);
    frames(2 * (PAGE / STEP));
    expect(rows()).toHaveLength(PAGE);
    expect(screen.queryByText('Loading…')).toBeNull();
    expect(screen.getByText('10,000.50 → 10,100.25 · signal')).toBeTruthy();
    fireEvent.press(screen.getByText(`Show ${PAGE} more trades (${COUNT - PAGE} not shown yet)`));
    frames(2 * (PAGE / STEP));
    expect(rows()).toHaveLength(2 * PAGE);
    fireEvent.press(screen.getByText(`Show 37 more trades (37 not shown yet)`));
    frames(2);
    expect(rows()).toHaveLength(COUNT);
    expect(screen.queryByTestId('backtest-trades-more')).toBeNull();
    // the last trade, still open: its price, no exit, no P&L
    const last = TRADES[COUNT - 1]!;
    expect(screen.getByText(`${last.entry_time!.slice(0, 16)} → …`)).toBeTruthy();
    expect(screen.getByText(`10,${String(COUNT - 1).padStart(3, '0')}.50 → — · `)).toBeTruthy();
  });

  it('says "show more" in French, with French money', async () => {
    await i18n.changeLanguage('fr');
    jest.useFakeTimers();
    render(<TradeList trades={TRADES.slice(0, PAGE + 1)} title="Trades" />);
    frames(2 * (PAGE / STEP));
    expect(rows()).toHaveLength(PAGE);
    expect(screen.getByText('Afficher 1 trades de plus (1 pas encore affichés)')).toBeTruthy();
    expect(screen.getByText(/^10\s000,50 → 10\s100,25 · signal$/)).toBeTruthy();
    screen.unmount();
    jest.useRealTimers();
    await i18n.changeLanguage('en');
  });
});
