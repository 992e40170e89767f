/** The app's number formatting: a float that rounds to zero is written 0, never "-0.00". */
import { renderHook } from '@testing-library/react-native';

import { useFormat } from '@/hooks/useFormat';
import { i18n } from '@/i18n';

describe('useFormat().number', () => {
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('writes a small negative value that rounds to zero without its sign', async () => {
    await i18n.changeLanguage('fr');
    const { result } = renderHook(() => useFormat());
    expect(result.current.number(-0.001)).toBe('0,00');
    expect(result.current.number(-0.004, 2)).toBe('0,00');
    expect(result.current.number(-0.01)).toBe('-0,01');
    expect(result.current.number(-0.0004, 3)).toBe('0,000');
    expect(result.current.number(0.13)).toBe('0,13');
  });
});
