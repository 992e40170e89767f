/**
 * The last known state kept on the device: only the screens' data (never a token), for one
 * server, restored with the time each query was really fetched, deleted on sign-out.
 */
import { QueryClient } from '@tanstack/react-query';

import { clearSnapshot, keepSnapshots, readSnapshot, restoreSnapshot, saveSnapshot } from '@/services/snapshot';

/** No garbage-collection timer (gcTime Infinity): jest exits as soon as the tests end. */
const newClient = () => new QueryClient({ defaultOptions: { queries: { gcTime: Infinity } } });

const OWNER = { server: 'http://127.0.0.1:8000', username: 'alice', role: 'trader' };

describe('snapshot', () => {
  afterEach(async () => {
    await clearSnapshot();
    jest.useRealTimers();
  });

  it('keeps the screens data with its age, for its server only, and can be cleared', async () => {
    const client = newClient();
    client.setQueryData(['portfolio'], { total_capital: '1000.00' }, { updatedAt: 1_700_000_000_000 });
    client.setQueryData(['backtests', 'list'], { data: [] });
    client.setQueryData(['ws-ticket'], { ticket: 'secret' });
    await saveSnapshot(client, OWNER);

    expect(await readSnapshot('http://other:8000')).toBeNull();
    const snapshot = await readSnapshot(OWNER.server);
    expect(snapshot?.owner).toEqual(OWNER);
    expect(snapshot?.state.queries.map((q) => q.queryKey)).toEqual([['portfolio']]);
    expect(JSON.stringify(snapshot)).not.toContain('secret');

    const fresh = newClient();
    restoreSnapshot(fresh, snapshot!);
    expect(fresh.getQueryData(['portfolio'])).toEqual({ total_capital: '1000.00' });
    expect(fresh.getQueryState(['portfolio'])?.dataUpdatedAt).toBe(1_700_000_000_000);

    await clearSnapshot();
    expect(await readSnapshot(OWNER.server)).toBeNull();
  });

  it('keeps the last good data of a query whose refetch failed (the server just went away)', async () => {
    const client = newClient();
    client.setQueryData(['portfolio'], { total_capital: '988.79' }, { updatedAt: 1_700_000_000_000 });
    await expect(
      client.fetchQuery({ queryKey: ['portfolio'], queryFn: () => Promise.reject(new Error('unreachable')), retry: false, staleTime: 0 }),
    ).rejects.toThrow('unreachable');
    expect(client.getQueryState(['portfolio'])?.status).toBe('error');
    await saveSnapshot(client, OWNER);

    const fresh = newClient();
    restoreSnapshot(fresh, (await readSnapshot(OWNER.server))!);
    expect(fresh.getQueryData(['portfolio'])).toEqual({ total_capital: '988.79' });
    expect(fresh.getQueryState(['portfolio'])).toMatchObject({ status: 'success', error: null, dataUpdatedAt: 1_700_000_000_000 });
  });

  it('keeps a paged history with its first page only (a long history would be megabytes to write)', async () => {
    const client = newClient();
    const page = (offset: number) => ({ count: 150, data: [{ id: offset }, { id: offset + 1 }] });
    const key = ['trades', 'history', 'safe', 'all'];
    client.setQueryData(key, { pages: [page(0), page(50), page(100)], pageParams: [0, 50, 100] });
    client.setQueryData(['trades', { bot: 'safe' }], { count: 1, data: [{ id: 7 }] });
    await saveSnapshot(client, OWNER);

    const fresh = newClient();
    restoreSnapshot(fresh, (await readSnapshot(OWNER.server))!);
    expect(fresh.getQueryData(key)).toEqual({ pages: [page(0)], pageParams: [0] });
    expect(fresh.getQueryData(['trades', { bot: 'safe' }])).toEqual({ count: 1, data: [{ id: 7 }] });
  });

  it('saves again after a kept query changes, at most once per period', async () => {
    jest.useFakeTimers();
    const client = newClient();
    const stop = keepSnapshots(client, () => OWNER, 1000);
    client.setQueryData(['bots'], { data: [1] });
    client.setQueryData(['bots'], { data: [1, 2] });
    expect(await readSnapshot(OWNER.server)).toBeNull();
    await jest.advanceTimersByTimeAsync(1000);
    const saved = await readSnapshot(OWNER.server);
    expect(saved?.state.queries[0]?.state.data).toEqual({ data: [1, 2] });
    stop();
  });
});
