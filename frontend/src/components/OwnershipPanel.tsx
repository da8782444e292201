import { useState } from 'react';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import RadioGroup from '@cloudscape-design/components/radio-group';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Link from '@cloudscape-design/components/link';
import { ApiError, toApiError, type ChallengeMethod, type OwnershipChallenge, type OwnershipGrant } from '../api/client';
import { describeError, fieldError } from '../api/errors';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n';
import { useSite } from '../site';

/** The rules of OwnershipVerifyRequest.code, checked before sending. */
export function codeProblem(code: string): 'required' | 'length' | 'alphabet' | null {
  if (code === '') return 'required';
  if (!/^[0-9A-Z]*$/.test(code)) return 'alphabet';
  if (code.length < 6 || code.length > 12) return 'length';
  return null;
}

/** OwnershipPanel lets a signed-in consumer prove ownership: start a challenge, enter the code. */
export function OwnershipPanel({ vin, onProven }: { vin: string; onProven(grant: OwnershipGrant): void }) {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const { session, signIn } = useAuth();
  const { api, config } = useSite();
  const [method, setMethod] = useState<ChallengeMethod>('owner-code');
  const [challenge, setChallenge] = useState<OwnershipChallenge | null>(null);
  const [code, setCode] = useState('');
  const [codeRule, setCodeRule] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const header = <Header variant="h2">{t('ownership.title')}</Header>;
  if (!session) {
    return (
      <Container header={header}>
        <SpaceBetween size="m">
          <Box>{t('ownership.signInFirst')}</Box>
          <Button variant="primary" onClick={() => void signIn()}>
            {t('auth.signIn')}
          </Button>
        </SpaceBetween>
      </Container>
    );
  }
  if (!session.roles.includes('consumer')) {
    return (
      <Container header={header}>
        <Box>{t('ownership.dealer')}</Box>
      </Container>
    );
  }

  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const start = () =>
    run(async () => {
      setChallenge(await api.createChallenge(vin, method));
      setCode('');
      setCodeRule(null);
    });

  const verify = () => {
    const rule = codeProblem(code);
    setCodeRule(rule);
    if (rule || !challenge) return;
    void run(async () => onProven(await api.verifyChallenge(vin, challenge.challengeId, code)));
  };

  // An error that names a field is shown next to it; the rest above the form.
  const generalError = error && error.field !== 'code' && error.field !== 'method' ? describeError(error, i18n) : null;
  const codeError = codeRule ? t(`code.${codeRule}` as 'code.length') : fieldError(error, 'code', i18n);

  if (!challenge) {
    return (
      <Container header={header}>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <SpaceBetween size="m">
            <Box>{t('ownership.intro')}</Box>
            {generalError && <Alert type="error">{generalError}</Alert>}
            <FormField label={t('ownership.method')} errorText={fieldError(error, 'method', i18n)}>
              <RadioGroup
                value={method}
                onChange={(e) => setMethod(e.detail.value as ChallengeMethod)}
                items={(['owner-code', 'document-code'] as const).map((m) => ({
                  value: m,
                  label: t(`ownership.method.${m}`),
                  description: t(`ownership.method.${m}.hint`),
                }))}
              />
            </FormField>
            <Button variant="primary" formAction="submit" loading={busy}>
              {t('ownership.start')}
            </Button>
          </SpaceBetween>
        </form>
      </Container>
    );
  }

  const expires = fmt.time(challenge.expiresAt);
  return (
    <Container header={header}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          verify();
        }}
      >
        <SpaceBetween size="m">
          <Box>
            {challenge.method === 'owner-code'
              ? t('ownership.code.sent', { time: expires })
              : t('ownership.code.document', { time: expires })}
          </Box>
          {config.local && challenge.method === 'owner-code' && (
            <Link href={`/dev/outbox?vin=${encodeURIComponent(vin)}`} external target="_blank">
              {t('ownership.outbox')}
            </Link>
          )}
          {generalError && <Alert type="error">{generalError}</Alert>}
          <FormField label={t('ownership.code.label')} errorText={codeError}>
            <Input
              value={code}
              onChange={(e) => {
                setCode(e.detail.value.trim());
                setCodeRule(null);
              }}
              autoComplete="one-time-code"
              inputMode={challenge.method === 'owner-code' ? 'numeric' : 'text'}
              name="code"
              controlId="ownership-code"
            />
          </FormField>
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="primary" formAction="submit" loading={busy}>
              {t('ownership.verify')}
            </Button>
            <Button
              formAction="none"
              onClick={() => {
                setChallenge(null);
                setError(null);
              }}
            >
              {t('ownership.restart')}
            </Button>
          </SpaceBetween>
        </SpaceBetween>
      </form>
    </Container>
  );
}
