import LineChart from '@cloudscape-design/components/line-chart';
import type { LineChartProps } from '@cloudscape-design/components/line-chart';

type Series = LineChartProps<Date>['series'][number];
import type { OdometerData } from '../api/client';
import { useI18n } from '../i18n';

function monthDate(m: string): Date {
  const [y, mo] = m.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (mo ?? 1) - 1, 1));
}

/** OdometerChart plots the readings over time, with a marker at each rollback. */
export function OdometerChart({ data }: { data: OdometerData }) {
  const { t, fmt } = useI18n();
  const readings = (data.readings ?? []).map((r) => ({ x: monthDate(r.month), y: r.km }));
  // One reading is no line: the readings table below says it better.
  if (readings.length < 2) return null;
  const series: Series[] = [
    { title: t('odometer.km'), type: 'line', data: readings, valueFormatter: (v: number) => fmt.km(v) },
    ...(data.rollbacks ?? [])
      .filter((r) => r.month)
      .map((r) => ({
        title: `${t('odometer.rollback.marker')} ${fmt.month(r.month!)}`,
        type: 'threshold' as const,
        x: monthDate(r.month!),
        color: '#d91515',
      })),
  ];
  const maxKm = Math.max(...readings.map((r) => r.y));
  return (
    <LineChart
      series={series}
      xScaleType="time"
      xDomain={[readings[0]!.x, readings[readings.length - 1]!.x]}
      yDomain={[0, Math.ceil((maxKm * 1.1) / 10000) * 10000]}
      i18nStrings={{
        xTickFormatter: (d) => fmt.month(d.toISOString().slice(0, 7)),
        yTickFormatter: (v) => fmt.number(v),
      }}
      ariaLabel={t('odometer.chart')}
      xTitle={t('odometer.date')}
      yTitle={t('odometer.km')}
      height={260}
      hideFilter
    />
  );
}
