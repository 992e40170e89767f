/**
 * Money arrives as decimal strings ("1234.50000000") and is shown from strings: never parsed
 * into a JS number, which would round it. Arithmetic that a screen needs (a running total)
 * is done exactly on BigInt at a fixed scale.
 */

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;
const SCALE = 8;

export interface Parts {
  negative: boolean;
  integer: string;
  fraction: string;
}

/** Splits a decimal string; throws on anything else (an API contract break must be loud). */
export function parseDecimal(value: string): Parts {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new Error(`not a decimal string: ${JSON.stringify(value)}`);
  const integer = (match[2] ?? '0').replace(/^0+(?=\d)/, '');
  const fraction = match[3] ?? '';
  const zero = /^0*$/.test(integer + fraction);
  return { negative: match[1] === '-' && !zero, integer, fraction };
}

/** Rounds half away from zero to `places` decimals, on the digits. */
export function roundParts(parts: Parts, places: number): Parts {
  const padded = parts.fraction.padEnd(places + 1, '0');
  let kept = parts.integer + padded.slice(0, places);
  if ((padded[places] ?? '0') >= '5') {
    const digits = kept.split('');
    let i = digits.length - 1;
    while (i >= 0) {
      if (digits[i] === '9') {
        digits[i] = '0';
        i -= 1;
      } else {
        digits[i] = String(Number(digits[i]) + 1);
        break;
      }
    }
    kept = (i < 0 ? '1' : '') + digits.join('');
  }
  const integer = kept.slice(0, kept.length - places) || '0';
  const fraction = places ? kept.slice(kept.length - places) : '';
  const zero = /^0*$/.test(integer + fraction);
  return { negative: parts.negative && !zero, integer, fraction };
}

export interface FormatOptions {
  locale: string;
  places?: number;
  /** Always show the sign (+/-), for P&L. */
  signed?: boolean;
  unit?: string;
}

function separators(locale: string): { group: string; decimal: string } {
  return locale.startsWith('fr') ? { group: '\u202f', decimal: ',' } : { group: ',', decimal: '.' };
}

/** "1234.5678" -> "1,234.57" (en) or "1 234,57" (fr); from the string's digits only. */
export function formatDecimal(value: string, options: FormatOptions): string {
  const places = options.places ?? 2;
  const parts = roundParts(parseDecimal(value), places);
  const { group, decimal } = separators(options.locale);
  const grouped = parts.integer.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const body = parts.fraction ? `${grouped}${decimal}${parts.fraction}` : grouped;
  const sign = parts.negative ? '-' : options.signed && !isZero(value) ? '+' : '';
  const unit = options.unit ? `\u00a0${options.unit}` : '';
  return `${sign}${body}${unit}`;
}

/** A ratio ("0.0125") as a percentage ("1.25 %"), by moving the decimal point in the string. */
export function formatRatio(value: string, options: Omit<FormatOptions, 'unit'>): string {
  const parts = parseDecimal(value);
  const digits = parts.integer + parts.fraction.padEnd(2, '0');
  const split = parts.integer.length + 2;
  const shifted = `${parts.negative ? '-' : ''}${digits.slice(0, split)}.${digits.slice(split) || '0'}`;
  return formatDecimal(shifted, { ...options, unit: '%' });
}

export function isNegative(value: string): boolean {
  return parseDecimal(value).negative;
}

export function isZero(value: string): boolean {
  const parts = parseDecimal(value);
  return /^0*$/.test(parts.integer + parts.fraction);
}

function toScaled(value: string): bigint {
  const parts = parseDecimal(value);
  if (parts.fraction.length > SCALE) throw new Error(`more than ${SCALE} decimals: ${value}`);
  const units = BigInt(parts.integer + parts.fraction.padEnd(SCALE, '0'));
  return parts.negative ? -units : units;
}

function fromScaled(units: bigint): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(SCALE + 1, '0');
  const integer = digits.slice(0, digits.length - SCALE);
  return `${negative ? '-' : ''}${integer}.${digits.slice(digits.length - SCALE)}`;
}

/** Exact sum of decimal strings (up to 8 decimals, the API's scale). */
export function sumDecimals(values: readonly string[]): string {
  return fromScaled(values.reduce((total, value) => total + toScaled(value), 0n));
}

/** Exact comparison: -1, 0 or 1. */
export function compareDecimals(a: string, b: string): number {
  const difference = toScaled(a) - toScaled(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

/**
 * A decimal string as a float, for drawing only (a chart's y coordinate); never for display
 * or arithmetic.
 */
export function plotValue(value: string): number {
  return Number(value);
}

/** The decimals a value really has ("55.0" -> 0, "0.0005" -> 4). */
function places(value: string): number {
  return parseDecimal(value).fraction.replace(/0+$/, '').length;
}

/** A decimal string with the digits it has, no more ("55.0" -> "55", "-0.1" -> "-0,1" in French). */
export function formatPlain(value: string, locale: string): string {
  return formatDecimal(value, { locale, places: places(value) });
}

/** A ratio string as a percentage with the digits it has ("0.0005" -> "0.05 %", "0.3" -> "30 %"). */
export function formatPercent(value: string, locale: string): string {
  return formatRatio(value, { locale, places: Math.max(0, places(value) - 2) });
}
