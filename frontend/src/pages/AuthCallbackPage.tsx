import { useEffect, useRef, useState } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Spinner from '@cloudscape-design/components/spinner';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n';
import { navigate } from '../router';

export default function AuthCallbackPage() {
  const { completeSignIn, signIn } = useAuth();
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    // The code is single use: StrictMode's second effect run must not redeem it again.
    if (started.current) return;
    started.current = true;
    completeSignIn()
      .then((to) => navigate(to, { replace: true }))
      .catch((e: Error) => setError(e.message));
  }, [completeSignIn]);

  if (error) {
    return (
      <Box padding="l">
        <Alert type="error" action={<Button onClick={() => void signIn('/')}>{t('auth.callback.retry')}</Button>}>
          {t('auth.callback.failed', { reason: error })}
        </Alert>
      </Box>
    );
  }
  return (
    <Box padding="l" textAlign="center">
      <Spinner size="large" /> {t('auth.callback.working')}
    </Box>
  );
}
