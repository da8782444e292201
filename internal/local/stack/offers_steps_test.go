package stack_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/cucumber/godog"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// registerOffers adds the steps of features/offers.feature.
func (s *scenario) registerOffers(sc *godog.ScenarioContext) {
	var listingID string
	sc.Step(`^a vehicle with after-sales offers$`, func() { s.vin = freshVIN() }) // every 2021 car has plans and financing
	sc.Step(`^a vehicle whose offers were looked up a moment ago$`, func(ctx context.Context) error {
		return s.offersLookedUp(ctx, 0)
	})
	sc.Step(`^a vehicle whose offers were looked up (\d+) days ago$`, func(ctx context.Context, days int) error {
		return s.offersLookedUp(ctx, time.Duration(days)*24*time.Hour)
	})
	sc.Step(`^(?:an anonymous visitor|a buyer) asks for its offers$`, func(ctx context.Context) error {
		return s.askOffers(ctx, "/vehicles/"+s.vin+"/offers", "")
	})
	sc.Step(`^(?:an anonymous visitor|a buyer) asks for the offers of "([^"]*)"$`, func(ctx context.Context, vin string) error {
		return s.askOffers(ctx, "/vehicles/"+vin+"/offers", "")
	})
	sc.Step(`^(alice|bob|dealer-dan) asks for its offers$`, func(ctx context.Context, user string) error {
		return s.askOffers(ctx, "/vehicles/"+s.vin+"/offers", user)
	})
	sc.Step(`^an active listing of a vehicle with after-sales offers$`, func(ctx context.Context) (err error) {
		s.vin = freshVIN()
		listingID, err = s.seedListingForOffers(ctx, "active")
		return err
	})
	sc.Step(`^a withdrawn listing$`, func(ctx context.Context) (err error) {
		s.vin = freshVIN()
		listingID, err = s.seedListingForOffers(ctx, "withdrawn")
		return err
	})
	sc.Step(`^(?:an anonymous visitor|a buyer) asks for the listing's offers$`, func(ctx context.Context) error {
		return s.askOffers(ctx, "/listings/"+listingID+"/offers", "")
	})
	sc.Step(`^the offers are the owner view with service plans$`, s.offersOwnerView)
	sc.Step(`^the offers show financing only$`, s.offersFinancingOnly)
	sc.Step(`^the offers sections? ([A-Za-z, ]+?) (?:is|are) "(fresh|stale|unavailable)"$`, s.offerSections)
	sc.Step(`^the answer does not carry the vehicle's VIN$`, func() error {
		if bytes.Contains(bytes.ToUpper(s.answers[0].body), []byte(s.vin)) {
			return fmt.Errorf("the answer carries the VIN: %s", s.answers[0].body)
		}
		return nil
	})
	sc.Step(`^the offers system was asked (\d+) times?$`, func(n int64) error {
		if got := s.stack.Sims.System(vehicle.SourceOffers).Stats().Total; got != n {
			return fmt.Errorf("the offers system was asked %d times, want %d", got, n)
		}
		return nil
	})
}

func (s *scenario) askOffers(ctx context.Context, path, user string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.stack.APIURL+path, nil)
	if err != nil {
		return err
	}
	if user != "" {
		tok, err := s.token(ctx, user)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	a, err := s.do(req)
	s.answers = []answer{a}
	return err
}

// offersLookedUp makes a fresh vehicle's offers cached, then moves the clock by age and forgets
// the legacy calls that took.
func (s *scenario) offersLookedUp(ctx context.Context, age time.Duration) error {
	s.vin = freshVIN()
	if err := s.get(ctx, s.stack.APIURL+"/vehicles/"+s.vin+"/offers", 200); err != nil {
		return err
	}
	s.clock.Advance(age)
	s.stack.Sims.Reset()
	return nil
}

// seedListingForOffers writes a listing item for s.vin as the seller routes write it (the attributes the
// offers route reads), with an id of 130 random bits.
func (s *scenario) seedListingForOffers(ctx context.Context, status string) (string, error) {
	b := make([]byte, 17)
	_, _ = rand.Read(b)
	id := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:26]
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	_, err := s.stack.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.stack.TableName),
		Item: map[string]types.AttributeValue{
			"pk": str("LISTING#" + id), "sk": str("LISTING"), "id": str(id), "status": str(status),
			"vin": str(s.vin), "make": str("Volkswagen"), "model": str("Golf"),
		},
	})
	return id, err
}

type offerSection struct {
	Freshness string `json:"freshness"`
	Offers    *[]struct {
		Kind string `json:"kind"`
	} `json:"offers"`
}

func (s *scenario) offersBody() (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(s.answers[0].body, &m); err != nil {
		return nil, fmt.Errorf("not an offers answer: %w: %s", err, s.answers[0].body)
	}
	return m, nil
}

func section(m map[string]json.RawMessage, name string) (offerSection, error) {
	var sec offerSection
	raw, ok := m[name]
	if !ok {
		return sec, fmt.Errorf("no %s section", name)
	}
	if err := json.Unmarshal(raw, &sec); err != nil {
		return sec, fmt.Errorf("section %s: %w", name, err)
	}
	return sec, nil
}

// kindsOnly checks a section holds at least one offer and only offers of kind.
func kindsOnly(m map[string]json.RawMessage, name, kind string) error {
	sec, err := section(m, name)
	if err != nil {
		return err
	}
	if sec.Offers == nil || len(*sec.Offers) == 0 {
		return fmt.Errorf("section %s has no offers (%s)", name, sec.Freshness)
	}
	for _, o := range *sec.Offers {
		if o.Kind != kind {
			return fmt.Errorf("section %s holds a %s offer", name, o.Kind)
		}
	}
	return nil
}

func (s *scenario) offersOwnerView() error {
	m, err := s.offersBody()
	if err != nil {
		return err
	}
	if string(m["access"]) != `"owner"` {
		return fmt.Errorf("access %s, want owner: %s", m["access"], s.answers[0].body)
	}
	if err := kindsOnly(m, "servicePlans", "service-plan"); err != nil {
		return err
	}
	if _, err := section(m, "accessories"); err != nil {
		return err
	}
	return kindsOnly(m, "financing", "financing")
}

func (s *scenario) offersFinancingOnly() error {
	m, err := s.offersBody()
	if err != nil {
		return err
	}
	for _, owners := range []string{"servicePlans", "accessories"} {
		if _, ok := m[owners]; ok {
			return fmt.Errorf("a buyer sees the owner's %s: %s", owners, s.answers[0].body)
		}
	}
	if a, ok := m["access"]; ok && string(a) != `"public"` {
		return fmt.Errorf("access %s, want public", a)
	}
	return kindsOnly(m, "financing", "financing")
}

func (s *scenario) offerSections(list, freshness string) error {
	m, err := s.offersBody()
	if err != nil {
		return err
	}
	for _, name := range listSep.Split(strings.TrimSpace(list), -1) {
		if name == "" {
			continue
		}
		sec, err := section(m, name)
		if err != nil {
			return err
		}
		if sec.Freshness != freshness {
			return fmt.Errorf("section %s is %q, want %q", name, sec.Freshness, freshness)
		}
		if (freshness == "unavailable") != (sec.Offers == nil) {
			return fmt.Errorf("section %s is %s but offers present = %v", name, freshness, sec.Offers != nil)
		}
	}
	return nil
}
