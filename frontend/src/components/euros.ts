// Whole-euro amounts (asking prices, stock prices): the API sends them without cents, so the
// site shows none either, in the reader's locale ("€14,490", "14.490 €").

export function euros(tag: string, amount: number): string {
  return new Intl.NumberFormat(tag, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(amount);
}
