/** The traded market the trader picked to look at (dashboard and a bot's detail share it). */
import { create } from 'zustand';

interface MarketChoice {
  /** `exchange pair timeframe` of the picked market; null: the first traded */
  picked: string | null;
  pick: (key: string) => void;
}

export const useMarketChoice = create<MarketChoice>((set) => ({
  picked: null,
  pick: (key) => set({ picked: key }),
}));
