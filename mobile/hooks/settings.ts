/** Settings' server state: pairs, exchange keys, notifications, the live switch, tokens, users. */
import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, call, type Schemas } from '@/services/api';

export { usePairs } from '@/hooks/queries';

/** After a change, what the server now says (never an optimistic guess about money settings). */
function useRefresh(...keys: string[]) {
  const client = useQueryClient();
  return () => keys.forEach((key) => void client.invalidateQueries({ queryKey: [key] }));
}

export function useAddPair() {
  const refresh = useRefresh('pairs', 'series');
  return useMutation({
    retry: 0,
    mutationFn: (body: Schemas['PairCreate']) => call(api().POST('/config/pairs', { body })),
    onSuccess: refresh,
  });
}

export function useSetPairActive() {
  const refresh = useRefresh('pairs', 'series');
  return useMutation({
    retry: 0,
    mutationFn: ({ id, active }: { id: number; active: boolean }) =>
      call(
        api().PATCH('/config/pairs/{pair_id}', {
          params: { path: { pair_id: id } },
          body: { is_active: active },
        }),
      ),
    onSuccess: refresh,
  });
}
