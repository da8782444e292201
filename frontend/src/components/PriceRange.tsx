// A box-plot-like bar of asking prices: a whisker from the lowest to the highest price, a box over
// the middle half (lower to upper quartile) and a mark at the median, with the figures beneath.
// Plain elements rather than a chart: five numbers need no axis, and it stays readable at any width.
import Box from '@cloudscape-design/components/box';
import { useI18n } from '../i18n';
import { euros } from './euros';

export interface Prices {
  minEur: number;
  q1Eur: number;
  medianEur: number;
  q3Eur: number;
  maxEur: number;
}

/** position is where a price sits between min and max, in percent (the middle when all are equal). */
export function position(v: number, min: number, max: number): number {
  if (max <= min) return 50;
  return Math.min(100, Math.max(0, ((v - min) / (max - min)) * 100));
}

export function PriceRange({ prices }: { prices: Prices }) {
  const { t, locale } = useI18n();
  const { minEur: min, q1Eur: q1, medianEur: median, q3Eur: q3, maxEur: max } = prices;
  const money = (v: number) => euros(locale.tag, v);
  const at = (v: number) => `${position(v, min, max)}%`;
  const label = t('market.range.label', { min: money(min), q1: money(q1), median: money(median), q3: money(q3), max: money(max) });
  return (
    <div className="price-range" data-testid="price-range">
      <div className="price-range__plot" role="img" aria-label={label}>
        <div className="price-range__whisker" />
        <div className="price-range__box" style={{ left: at(q1), width: `${position(q3, min, max) - position(q1, min, max)}%` }} title={t('market.range.middle')} />
        <div className="price-range__median" style={{ left: at(median) }} />
      </div>
      <div className="price-range__labels" aria-hidden="true">
        <Box variant="small">{money(min)}</Box>
        <Box variant="small" fontWeight="bold">
          {t('market.median')}: {money(median)}
        </Box>
        <Box variant="small">{money(max)}</Box>
      </div>
    </div>
  );
}
