import {
  compareDecimals,
  formatDecimal,
  formatRatio,
  isNegative,
  parseDecimal,
  sumDecimals,
} from '@/lib/decimal';

describe('formatDecimal', () => {
  it('groups and rounds from the string, never through a float', () => {
    expect(formatDecimal('1234567.125', { locale: 'en' })).toBe('1,234,567.13');
    // 0.1 + 0.2 style traps: a float would print 9007199254740993 as ...992
    expect(formatDecimal('9007199254740993.00', { locale: 'en' })).toBe('9,007,199,254,740,993.00');
    expect(formatDecimal('0.995', { locale: 'en' })).toBe('1.00');
    expect(formatDecimal('999.999', { locale: 'en', places: 2 })).toBe('1,000.00');
    expect(formatDecimal('-0.004', { locale: 'en' })).toBe('0.00');
  });

  it('speaks French: narrow no-break space for thousands, comma for decimals', () => {
    expect(formatDecimal('1234.5', { locale: 'fr', unit: 'USDT' })).toBe('1\u202f234,50\u00a0USDT');
  });

  it('signs P&L when asked', () => {
    expect(formatDecimal('12.3', { locale: 'en', signed: true })).toBe('+12.30');
    expect(formatDecimal('-12.3', { locale: 'en', signed: true })).toBe('-12.30');
    expect(formatDecimal('0.00000000', { locale: 'en', signed: true })).toBe('0.00');
  });

  it('refuses what is not a decimal string', () => {
    expect(() => parseDecimal('1e5')).toThrow('not a decimal string');
    expect(() => parseDecimal('NaN')).toThrow();
  });
});

describe('formatRatio', () => {
  it('moves the decimal point in the string', () => {
    expect(formatRatio('0.005', { locale: 'en' })).toBe('0.50\u00a0%');
    expect(formatRatio('0.0125', { locale: 'fr' })).toBe('1,25\u00a0%');
    expect(formatRatio('1', { locale: 'en', places: 0 })).toBe('100\u00a0%');
    expect(formatRatio('-0.3', { locale: 'en', signed: true })).toBe('-30.00\u00a0%');
  });
});

describe('exact arithmetic', () => {
  it('sums at the API scale without float error', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.30000000');
    expect(sumDecimals(['-2.82000000', '1.5'])).toBe('-1.32000000');
    expect(sumDecimals([])).toBe('0.00000000');
  });

  it('compares and tells the sign', () => {
    expect(compareDecimals('10.00', '9.99999999')).toBe(1);
    expect(compareDecimals('1', '1.00000000')).toBe(0);
    expect(isNegative('-0.00000001')).toBe(true);
    expect(isNegative('-0')).toBe(false);
  });
});
