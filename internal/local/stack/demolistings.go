package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

// demoListing is one listing `make run` seeds: a demo car, the demo user who sells it.
type demoListing struct {
	vin         vehicle.VIN
	seller      string
	priceEur    int
	description string
	postal      string
}

var demoListings = []demoListing{
	{world.DemoClean, "alice", 21900, "Golf 2021, one owner, serviced every year at the dealer. Winter tyres included.", "101"},
	{world.DemoRecall, "alice", 15400, "Octavia 2019 estate, roomy and economical.", "803"},
	{world.DemoRollback, "bob", 9800, "Audi A3 2016, sold as seen.", "200"},
	{world.DemoAccident, "bob", 8900, "Ibiza 2018, repaired after a minor accident, drives perfectly.", "504"},
}

// existingID finds the id a 409 names ("... an active listing: <id>").
var existingID = regexp.MustCompile(`([a-z2-7]{26})`)

// SeedDemoListings gives the demo users grants for some demo cars (as proving ownership would)
// and lists those cars through the API, as a seller does: the same routes, state machines and
// steps. It is idempotent across runs that keep the data directory: a car listed in an earlier
// run keeps its listing. It returns the listing ids in the order of demoListings.
func (s *Stack) SeedDemoListings(ctx context.Context) ([]string, error) {
	grants := dynamo.NewGrants(s.DynamoDB, s.TableName)
	now := time.Now()
	ids := make([]string, 0, len(demoListings))
	for _, d := range demoListings {
		sub, err := demoSubject(d.seller)
		if err != nil {
			return nil, err
		}
		if err := grants.Put(ctx, dynamo.Grant{VIN: d.vin, Subject: sub, GrantedAt: now,
			ExpiresAt: now.Add(30 * 24 * time.Hour), Method: "demo-seed"}); err != nil {
			return nil, fmt.Errorf("seed demo listings: grant: %w", err)
		}
		id, err := s.createDemoListing(ctx, d)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	s.demoListingIDs = ids
	return ids, nil
}

func demoSubject(user string) (string, error) {
	for _, u := range devoidc.Users() {
		if u.Username == user {
			return u.Subject, nil
		}
	}
	return "", fmt.Errorf("seed demo listings: no demo user %q", user)
}

func (s *Stack) createDemoListing(ctx context.Context, d demoListing) (string, error) {
	tok, err := s.Issuer.AccessToken(d.seller)
	if err != nil {
		return "", fmt.Errorf("seed demo listings: %w", err)
	}
	body, err := json.Marshal(map[string]any{
		"vin": d.vin, "priceEur": d.priceEur, "description": d.description, "photos": []string{},
		"region": map[string]string{"country": "DE", "postalPrefix": d.postal},
	})
	if err != nil {
		return "", fmt.Errorf("seed demo listings: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.APIURL+"/listings", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("seed demo listings: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Idempotency-Key", "demo-seed-"+string(d.vin))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("seed demo listings: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", fmt.Errorf("seed demo listings: %w", err)
	}
	switch res.StatusCode {
	case http.StatusCreated:
		var l struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &l); err != nil || l.ID == "" {
			return "", fmt.Errorf("seed demo listings: no listing id in the answer (%w)", err)
		}
		return l.ID, nil
	case http.StatusConflict: // listed in an earlier run, its key expired since
		if m := existingID.FindSubmatch(b); m != nil {
			return string(m[1]), nil
		}
	}
	return "", fmt.Errorf("seed demo listings: POST /listings answered %d", res.StatusCode)
}
