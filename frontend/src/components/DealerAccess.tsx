// What the dealer pages show to someone who is not a signed-in dealer: the API refuses them
// (401 without a token, 403 for an account without a dealer id), and the page says so in words
// instead of a bare status.
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n';

export function DealerSignIn() {
  const { t } = useI18n();
  const { signIn } = useAuth();
  return (
    <Alert
      type="info"
      header={t('dealer.signIn.title')}
      action={<Button onClick={() => void signIn()}>{t('auth.signIn')}</Button>}
      data-testid="dealer-sign-in"
    >
      {t('dealer.signIn.body')}
    </Alert>
  );
}

export function DealerForbidden() {
  const { t } = useI18n();
  const { session, signOut } = useAuth();
  return (
    <Alert
      type="warning"
      header={t('dealer.forbidden.title')}
      action={<Button onClick={() => void signOut()}>{t('auth.signOut')}</Button>}
      data-testid="dealer-forbidden"
    >
      {t('dealer.forbidden.body', { name: session?.name ?? '' })}
    </Alert>
  );
}
