import Header from '@cloudscape-design/components/header';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Link from '@cloudscape-design/components/link';
import { useI18n } from '../i18n';
import { followLink } from '../router';

export default function NotFoundPage() {
  const { t } = useI18n();
  return (
    <ContentLayout header={<Header variant="h1">{t('page.notFound.title')}</Header>}>
      <Container>
        <p>{t('page.notFound.body')}</p>
        <Link href="/" onFollow={(e) => followLink(e)}>
          {t('report.another')}
        </Link>
      </Container>
    </ContentLayout>
  );
}
