/** Where the last known state is kept on the web: localStorage (never a token: see storage.ts). */
const KEY = 'cryptotrader.snapshot';

function storage(): Storage | null {
  return typeof window !== 'undefined' && window.localStorage ? window.localStorage : null;
}

export async function readSnapshotText(): Promise<string | null> {
  return storage()?.getItem(KEY) ?? null;
}

export async function writeSnapshotText(text: string | null): Promise<void> {
  const store = storage();
  if (!store) return;
  try {
    if (text === null) store.removeItem(KEY);
    else store.setItem(KEY, text);
  } catch {
    // storage full or disabled: the app works on, without a snapshot for next time
  }
}
