package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/cucumber/godog"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

// ownershipState is what the ownership scenarios remember between steps.
type ownershipState struct {
	challengeID string
}

func (s *scenario) registerOwnership(sc *godog.ScenarioContext) {
	sc.Step(`^the vehicle with three owners$`, func() { s.vin = string(world.DemoOwners) })
	sc.Step(`^(alice|bob|dealer-dan|an anonymous visitor) starts an ownership challenge by "([^"]*)"$`, s.startChallenge)
	sc.Step(`^(alice|bob) answers the challenge with the code sent to the owner on record$`, func(ctx context.Context, user string) error {
		code, ok := s.stack.Outbox.Latest(vehicle.VIN(s.vin))
		if !ok {
			return fmt.Errorf("no code in the development outbox")
		}
		return s.answerChallenge(ctx, user, code)
	})
	sc.Step(`^(alice|bob) answers the challenge with a wrong code$`, func(ctx context.Context, user string) error {
		code, ok := s.stack.Outbox.Latest(vehicle.VIN(s.vin))
		if !ok {
			return fmt.Errorf("no code in the development outbox")
		}
		// The right code with its first digit changed: certainly wrong, same shape.
		wrong := string('0'+(code[0]-'0'+1)%10) + code[1:]
		return s.answerChallenge(ctx, user, wrong)
	})
	sc.Step(`^the answer grants owner access$`, func() error {
		var g struct {
			Access         string `json:"access"`
			GrantExpiresAt string `json:"grantExpiresAt"`
		}
		if err := json.Unmarshal(s.answers[0].body, &g); err != nil || g.Access != "owner" || g.GrantExpiresAt == "" {
			return fmt.Errorf("not an owner grant (%w): %s", err, s.answers[0].body)
		}
		return nil
	})
	sc.Step(`^the answer says (\d+) attempts? (?:are|is) left$`, func(n int) error {
		want := fmt.Sprintf("%d attempts left", n)
		if n == 1 {
			want = "1 attempt left"
		}
		if !strings.Contains(string(s.answers[0].body), want) {
			return fmt.Errorf("no %q in %s", want, s.answers[0].body)
		}
		return nil
	})
}

func (s *scenario) startChallenge(ctx context.Context, who, method string) error {
	a, err := s.post(ctx, who, "/vehicles/"+s.vin+"/ownership-challenges", fmt.Sprintf(`{"method":%q}`, method))
	if err != nil {
		return err
	}
	s.answers = []answer{a}
	var ch struct {
		ChallengeID string `json:"challengeId"`
	}
	if a.status == http.StatusCreated {
		if err := json.Unmarshal(a.body, &ch); err != nil || ch.ChallengeID == "" {
			return fmt.Errorf("no challenge id (%w): %s", err, a.body)
		}
	}
	s.ownership.challengeID = ch.ChallengeID
	return nil
}

func (s *scenario) answerChallenge(ctx context.Context, user, code string) error {
	a, err := s.post(ctx, user, "/vehicles/"+s.vin+"/ownership-challenges/"+s.ownership.challengeID+"/verify",
		fmt.Sprintf(`{"code":%q}`, code))
	s.answers = []answer{a}
	return err
}

// post sends a JSON body to an API path as a demo user (signed in at the dev issuer) or, for
// "an anonymous visitor", without a token.
func (s *scenario) post(ctx context.Context, who, path, body string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.stack.APIURL+path, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if who != "an anonymous visitor" {
		tok, err := s.token(ctx, who)
		if err != nil {
			return answer{}, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return s.do(req)
}

// token signs in as a demo user at the development issuer, unless the environment hands over a
// token for that user (a deployment has no development issuer).
func (s *scenario) token(ctx context.Context, user string) (string, error) {
	if tok := os.Getenv("ACCEPTANCE_TOKEN_" + strings.ToUpper(strings.ReplaceAll(user, "-", "_"))); tok != "" {
		return tok, nil
	}
	form := url.Values{"grant_type": {"password"}, "username": {user}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.stack.IssuerURL+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	a, err := s.do(req)
	if err != nil {
		return "", err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(a.body, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("sign in as %s: status %d, no access token (%w)", user, a.status, err)
	}
	return tok.AccessToken, nil
}
