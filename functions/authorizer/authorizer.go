// Package authorizer is the API Gateway (REST) Lambda authorizer of the REQUEST type. It verifies
// the caller's bearer token with internal/oidc and answers with an IAM policy.
//
// Outcomes:
//   - no Authorization header: Allow, role "anonymous" (public routes must work without signing
//     in; routes that need a signed-in caller check the role downstream);
//   - a valid token: Allow, role "consumer" or "dealer";
//   - anything else: the error "Unauthorized", which API Gateway turns into 401.
//
// The policy's context is exactly
//
//	{"sub": "<OIDC subject, empty when anonymous>", "role": "anonymous" | "consumer" | "dealer"}
//
// and is what feeds every state machine: the integration's request template builds the execution
// input's caller from it,
//
//	{"caller": {"sub": "$util.escapeJavaScript($context.authorizer.sub)", "role": "$context.authorizer.role"}, ...}
//
// which is also the JSON encoding of oidc.Caller, so the local gateway, which calls Authorize
// directly, marshals {"caller": caller} and produces the same input.
//
// principalId is the role, not the subject: API Gateway writes principalId into access logs, and
// the subject is personal data.
//
// Wiring in the Lambda binary's main (configuration from the environment, nothing in init):
//
//	v, err := oidc.NewVerifier(ctx, oidc.Config{Issuer: issuerURL, Audience: audience})
//	h := authorizer.New(v, logger)
//	lambda.Start(h.Handle)
//
// Wiring the API Gateway side: the authorizer must have no identity sources and result caching
// off. With an identity source of the Authorization header, API Gateway answers 401 itself when
// the header is missing, and anonymous callers could never reach the public routes.
package authorizer

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme-oem/vehicle-data/internal/oidc"
)

// ErrUnauthorized is the one error the handler returns. API Gateway maps exactly this message to
// a 401 response; any other error becomes a 500.
var ErrUnauthorized = errors.New("Unauthorized") // API Gateway matches this exact text

// Authorize resolves an Authorization header value to a caller: empty is anonymous, anything else
// must verify. The error, if any, matches oidc.ErrUnauthenticated; oidc.WWWAuthenticate(err) makes
// the challenge for the 401.
func Authorize(ctx context.Context, v *oidc.Verifier, authorizationHeader string) (oidc.Caller, error) {
	c, err := v.Authenticate(ctx, authorizationHeader)
	if err != nil {
		return oidc.Caller{}, err
	}
	return c, nil
}

// Handler is the Lambda authorizer. Build it once per process in main.
type Handler struct {
	verifier *oidc.Verifier
	log      *slog.Logger
}

// New builds the handler. log may be nil; it receives only the rejection reason (a fixed string),
// never the token or the subject.
func New(v *oidc.Verifier, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{verifier: v, log: log}
}

// Handle answers one authorization request.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	header, err := authorizationHeader(req)
	if err == nil {
		var c oidc.Caller
		if c, err = Authorize(ctx, h.verifier, header); err == nil {
			return allow(req.MethodArn, c), nil
		}
	}
	var ae *oidc.Error
	reason := "unauthenticated"
	if errors.As(err, &ae) {
		reason = ae.Reason
	}
	h.log.InfoContext(ctx, "authorizer: request rejected", slog.String("reason", reason))
	return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
}

// authorizationHeader finds the Authorization header whatever its case (API Gateway passes header
// names as the client sent them). Several values are refused: which one a later hop would read is
// unknowable, and that ambiguity is how confused-deputy bugs start.
func authorizationHeader(req events.APIGatewayCustomAuthorizerRequestTypeRequest) (string, error) {
	var values []string
	for k, vs := range req.MultiValueHeaders {
		if strings.EqualFold(k, "Authorization") {
			values = append(values, vs...)
		}
	}
	if len(values) == 0 {
		for k, v := range req.Headers {
			if strings.EqualFold(k, "Authorization") {
				values = append(values, v)
			}
		}
	}
	switch len(values) {
	case 0:
		return "", nil
	case 1:
		return values[0], nil
	}
	return "", &oidc.Error{Code: oidc.CodeInvalidRequest, Reason: "more than one Authorization header"}
}

// allow builds the Allow policy. It covers every method and resource of the stage rather than
// just MethodArn, so that enabling result caching later could not deny the caller's next route;
// per-route decisions are made downstream from the role.
func allow(methodArn string, c oidc.Caller) events.APIGatewayCustomAuthorizerResponse {
	resp := events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: string(c.Role),
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   "Allow",
				Resource: []string{stageWildcard(methodArn)},
			}},
		},
		Context: map[string]any{
			"sub":  c.Subject,
			"role": string(c.Role),
		},
	}
	if c.DealerID != "" {
		// The request template reads $context.authorizer.dealerId, which is "" when absent.
		resp.Context["dealerId"] = c.DealerID
	}
	return resp
}

// stageWildcard turns arn:aws:execute-api:region:account:api/stage/METHOD/path into
// arn:aws:execute-api:region:account:api/stage/*/*; an ARN of another shape is kept as it is.
func stageWildcard(methodArn string) string {
	arnPrefix, path, ok := strings.Cut(methodArn, "/")
	if !ok {
		return methodArn
	}
	stage, _, ok := strings.Cut(path, "/")
	if !ok || stage == "" {
		return methodArn
	}
	return arnPrefix + "/" + stage + "/*/*"
}
