import { useCallback, useEffect, useMemo, useState } from 'react';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Table from '@cloudscape-design/components/table';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Container from '@cloudscape-design/components/container';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Link from '@cloudscape-design/components/link';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { ApiError, request, type Source } from '../api/client';
import { describeError } from '../api/errors';
import { useI18n } from '../i18n';
import { followLink } from '../router';
import { randomVin } from '../vin';

/** The fault documents the panel switches between (PUT /__admin/faults of a simulator). */
export const PRESETS = {
  healthy: {},
  down: { outage: 'unavailable' },
  slow: { latency: { fixedMs: 5000 } },
  errors: { errorRate: 0.3, errorStatus: 503 },
} as const;
export type Preset = keyof typeof PRESETS;

interface SystemState {
  system: Source;
  faults?: Record<string, unknown>;
  error?: string;
}

/** presetOf names the preset a fault document is, or null for anything else (set by curl). */
export function presetOf(faults: Record<string, unknown> | undefined): Preset | null {
  const norm = JSON.stringify(faults ?? {});
  for (const [name, doc] of Object.entries(PRESETS)) if (JSON.stringify(doc) === norm) return name as Preset;
  return null;
}

export default function ChaosPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const [systems, setSystems] = useState<SystemState[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const vin = useMemo(() => randomVin(), []);

  const load = useCallback(async () => {
    try {
      const r = await request<{ systems: SystemState[] }>('/dev/chaos');
      setSystems(r.systems);
      setError(null);
    } catch (e) {
      setError(e as ApiError);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const set = async (system: string, preset: Preset) => {
    setBusy(system);
    try {
      await request(`/dev/chaos/${encodeURIComponent(system)}`, { method: 'PUT', body: PRESETS[preset] });
      await load();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(null);
    }
  };

  const presetLabel = (p: Preset) => t(`chaos.${p}`);
  return (
    <ContentLayout header={<Header variant="h1" description={t('chaos.intro')}>{t('chaos.title')}</Header>}>
      <SpaceBetween size="l">
        <Container>
          <Box>
            {t('chaos.cacheNote')}{' '}
            <Link href={`/vehicles/${vin}`} onFollow={(e) => followLink(e)}>
              {t('chaos.freshCar', { vin })}
            </Link>
          </Box>
        </Container>
        {error && <Alert type="error" header={t('chaos.loadFailed')}>{describeError(error, i18n)}</Alert>}
        <Table
          loading={systems === null && !error}
          loadingText={t('page.loading')}
          items={systems ?? []}
          trackBy="system"
          columnDefinitions={[
            { id: 'system', header: t('chaos.system'), cell: (s) => t(`source.${s.system}`) },
            {
              id: 'state',
              header: t('chaos.state'),
              cell: (s) => {
                if (s.error) return <StatusIndicator type="error">{s.error}</StatusIndicator>;
                const p = presetOf(s.faults);
                if (p === 'healthy') return <StatusIndicator type="success">{t('chaos.healthy')}</StatusIndicator>;
                return (
                  <StatusIndicator type="warning">
                    <span data-testid={`state-${s.system}`}>{p ? presetLabel(p) : JSON.stringify(s.faults)}</span>
                  </StatusIndicator>
                );
              },
            },
            {
              id: 'switch',
              header: t('chaos.actions'),
              cell: (s) => (
                <SegmentedControl
                  label={`${t('chaos.actions')}: ${t(`source.${s.system}`)}`}
                  selectedId={presetOf(s.faults)}
                  onChange={(e) => void set(s.system, e.detail.selectedId as Preset)}
                  options={(Object.keys(PRESETS) as Preset[]).map((p) => ({
                    id: p,
                    text: presetLabel(p),
                    disabled: busy === s.system,
                  }))}
                />
              ),
            },
          ]}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
