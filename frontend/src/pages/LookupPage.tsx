import ContentLayout from '@cloudscape-design/components/content-layout';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Link from '@cloudscape-design/components/link';
import Box from '@cloudscape-design/components/box';
import { VinForm } from '../components/VinForm';
import { useI18n } from '../i18n';
import { followLink, navigate } from '../router';
import { useSite } from '../site';
import { DEMO_CARS } from '../demo';

export default function LookupPage() {
  const { t } = useI18n();
  const { config } = useSite();
  return (
    <ContentLayout header={<Header variant="h1" description={t('app.tagline')}>{t('lookup.title')}</Header>}>
      <SpaceBetween size="l">
        <Container>
          <SpaceBetween size="m">
            <Box variant="p">{t('lookup.intro')}</Box>
            <VinForm onSubmit={(vin) => navigate(`/vehicles/${vin}`)} />
          </SpaceBetween>
        </Container>
        {config.local && (
          <Container header={<Header variant="h2" description={t('lookup.demo.description')}>{t('lookup.demo.title')}</Header>}>
            <ul className="demo-list">
              {DEMO_CARS.map((d) => (
                <li key={d.vin}>
                  <Link href={`/vehicles/${d.vin}`} onFollow={(e) => followLink(e)}>
                    <span className="vin">{d.vin}</span>
                  </Link>{' '}
                  {t(d.label)}
                </li>
              ))}
            </ul>
          </Container>
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
