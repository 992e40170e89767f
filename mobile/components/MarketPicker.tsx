/** Which traded market to look at, when the bots trade several (nothing to pick with one). */
import { Choice, Label } from '@/components/ui';
import { marketKey, type Market } from '@/hooks/queries';
import { useFormat } from '@/hooks/useFormat';

export function MarketPicker({
  markets,
  market,
  onPick,
  testID = 'market-picker',
}: {
  markets: Market[];
  market: Market;
  onPick: (market: Market) => void;
  testID?: string;
}) {
  const { t } = useFormat();
  if (markets.length < 2) {
    return <Label>{t('dashboard.signalsFor', { pair: market.pair, timeframe: market.timeframe })}</Label>;
  }
  const byKey = new Map(markets.map((m) => [marketKey(m), m]));
  // the same pair on two timeframes or exchanges (rare) is told apart by what differs
  const pairs = markets.map((m) => m.pair);
  const label = (key: string) => {
    const m = byKey.get(key)!;
    return pairs.filter((p) => p === m.pair).length > 1 ? `${m.pair} ${m.timeframe} (${m.exchange})` : m.pair;
  };
  return (
    <Choice
      testID={testID}
      options={[...byKey.keys()]}
      value={marketKey(market)}
      label={label}
      onChange={(key) => onPick(byKey.get(key)!)}
    />
  );
}
