#!/usr/bin/env bash
# acceptance-tokens.sh STACK signs the acceptance suite's test users in at the stack's Cognito user
# pool and hands their access tokens to the next steps as ACCEPTANCE_TOKEN_<USER> ($GITHUB_ENV),
# masked in the log. Every run sets a fresh random password, so no password is stored anywhere;
# the users exist only in dev, in the groups the authorizer maps to roles.
#
# It needs from the stack the outputs UserPoolId and AcceptanceClientId (an app client that allows
# ADMIN_USER_PASSWORD_AUTH, dev only), and from the deploy role the cognito-idp Admin* actions
# used below on that pool.
set -euo pipefail
stack="${1:?usage: acceptance-tokens.sh STACK}"
: "${GITHUB_ENV:?run inside GitHub Actions}"

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
pool="$(output UserPoolId)"
client="$(output AcceptanceClientId)"
if [[ -z "$pool" || "$pool" == None || -z "$client" || "$client" == None ]]; then
  echo "::error::$stack has no UserPoolId or AcceptanceClientId output" >&2
  exit 1
fi

# user:group, as the scenarios name them (features/*.feature) and the authorizer reads them.
for pair in alice:consumer bob:consumer dealer-dan:dealer; do
  user="${pair%%:*}"
  group="${pair##*:}"
  name="acceptance-$user"
  password="$(openssl rand -base64 24)-Aa1"
  echo "::add-mask::$password"
  if ! aws cognito-idp admin-get-user --user-pool-id "$pool" --username "$name" >/dev/null 2>&1; then
    aws cognito-idp admin-create-user --user-pool-id "$pool" --username "$name" \
      --message-action SUPPRESS >/dev/null
  fi
  aws cognito-idp admin-set-user-password --user-pool-id "$pool" --username "$name" \
    --password "$password" --permanent
  aws cognito-idp admin-add-user-to-group --user-pool-id "$pool" --username "$name" --group-name "$group"
  token="$(aws cognito-idp admin-initiate-auth --user-pool-id "$pool" --client-id "$client" \
    --auth-flow ADMIN_USER_PASSWORD_AUTH \
    --auth-parameters "USERNAME=$name,PASSWORD=$password" \
    --query AuthenticationResult.AccessToken --output text)"
  echo "::add-mask::$token"
  var="ACCEPTANCE_TOKEN_$(tr 'a-z-' 'A-Z_' <<<"$user")"
  echo "$var=$token" >>"$GITHUB_ENV"
done
echo "signed in the acceptance users of $stack"
