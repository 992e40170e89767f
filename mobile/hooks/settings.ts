/** Settings' server state: pairs, exchange keys, notifications, the live switch, tokens, users. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

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

export function useExchangeKeys(enabled: boolean) {
  return useQuery({
    queryKey: ['exchange-keys'],
    enabled,
    queryFn: () => call(api().GET('/config/exchange-keys')),
  });
}

export function usePutExchangeKey() {
  const refresh = useRefresh('exchange-keys', 'live-trading');
  return useMutation({
    retry: 0,
    mutationFn: ({ exchange, body }: { exchange: string; body: Schemas['ApiKeyPut'] }) =>
      call(api().PUT('/config/exchange-keys/{exchange}', { params: { path: { exchange } }, body })),
    onSuccess: refresh,
  });
}

export function useDeleteExchangeKey() {
  const refresh = useRefresh('exchange-keys', 'live-trading');
  return useMutation({
    retry: 0,
    mutationFn: (exchange: string) =>
      call(api().DELETE('/config/exchange-keys/{exchange}', { params: { path: { exchange } } })),
    onSuccess: refresh,
  });
}

export function useRotateKeys() {
  const refresh = useRefresh('exchange-keys');
  return useMutation({
    retry: 0,
    mutationFn: () => call(api().POST('/config/exchange-keys/rotate')),
    onSuccess: refresh,
  });
}

export function useUpdateNotifications() {
  const client = useQueryClient();
  return useMutation({
    retry: 0,
    mutationFn: (body: Schemas['NotificationsUpdate']) => call(api().PATCH('/config/notifications', { body })),
    onSuccess: (saved) => client.setQueryData(['notifications'], saved),
  });
}

export function useSwitchLiveTrading() {
  const refresh = useRefresh('live-trading', 'portfolio');
  return useMutation({
    retry: 0,
    mutationFn: (body: Schemas['LiveTradingUpdate']) => call(api().PUT('/config/live-trading', { body })),
    onSuccess: refresh,
  });
}

export function useServiceTokens() {
  return useQuery({ queryKey: ['service-tokens'], queryFn: () => call(api().GET('/auth/tokens')) });
}

export function useCreateServiceToken() {
  const refresh = useRefresh('service-tokens');
  return useMutation({
    retry: 0,
    mutationFn: (body: Schemas['ServiceTokenCreate']) => call(api().POST('/auth/tokens', { body })),
    onSuccess: refresh,
  });
}

export function useRevokeServiceToken() {
  const refresh = useRefresh('service-tokens');
  return useMutation({
    retry: 0,
    mutationFn: (id: number) => call(api().DELETE('/auth/tokens/{token_id}', { params: { path: { token_id: id } } })),
    onSuccess: refresh,
  });
}

export function useUsers(enabled: boolean) {
  return useQuery({ queryKey: ['users'], enabled, queryFn: () => call(api().GET('/auth/users')) });
}

export function useCreateUser() {
  const refresh = useRefresh('users');
  return useMutation({
    retry: 0,
    mutationFn: (body: Schemas['UserCreate']) => call(api().POST('/auth/users', { body })),
    onSuccess: refresh,
  });
}

export function useUpdateUser() {
  const refresh = useRefresh('users');
  return useMutation({
    retry: 0,
    mutationFn: ({ id, body }: { id: number; body: Schemas['UserUpdate'] }) =>
      call(api().PATCH('/auth/users/{user_id}', { params: { path: { user_id: id } }, body })),
    onSuccess: refresh,
  });
}

export function useChangePassword() {
  return useMutation({
    retry: 0,
    mutationFn: (body: Schemas['PasswordChange']) => call(api().POST('/auth/password', { body })),
  });
}

export function useLogoutEverywhere() {
  return useMutation({ retry: 0, mutationFn: () => call(api().POST('/auth/logout-all')) });
}
