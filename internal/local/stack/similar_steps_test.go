package stack_test

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/cucumber/godog"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

// similarState is what the similar-car scenarios remember between steps.
type similarState struct {
	listingID string
	others    []string // the other seeded listings
	page      similarPage
	pages     []answer
	clicked   string
	before    map[string][2]int // item -> impressions, clicks today, before
}

type similarItem struct {
	ItemID  string   `json:"itemId"`
	Kind    string   `json:"kind"`
	Score   int      `json:"score"`
	Reasons []string `json:"reasons"`
	Dealer  *struct {
		ID string `json:"id"`
	} `json:"dealer"`
}

type similarPage struct {
	ListingID  string        `json:"listingId"`
	Items      []similarItem `json:"items"`
	NextCursor string        `json:"nextCursor"`
	Stock      string        `json:"stock"`
}

type surfaced struct {
	DealerID string `json:"dealerId"`
	LastDay  string `json:"lastDay"`
	Cars     []struct {
		ItemID string `json:"itemId"`
		Days   []struct {
			Date        string `json:"date"`
			Impressions int    `json:"impressions"`
			Clicks      int    `json:"clicks"`
		} `json:"days"`
	} `json:"cars"`
}

func (s *scenario) registerSimilar(sc *godog.ScenarioContext) {
	sc.Step(`^(an active|another active|a withdrawn) listing of a (\d{4}) (\S+) (\S+) with (\d+) km at (\d+) EUR$`, s.seedListing)
	sc.Step(`^an anonymous visitor opens the similar cars of the listing$`, func(ctx context.Context) error {
		return s.openSimilar(ctx, "")
	})
	sc.Step(`^an anonymous visitor opens the similar cars of a listing that does not exist$`, func(ctx context.Context) error {
		s.similar.listingID = newListingID()
		return s.openSimilar(ctx, "")
	})
	sc.Step(`^an anonymous visitor opens the similar cars of the listing (\d+) at a time until the last page$`, s.pageThrough)
	sc.Step(`^every page was 200 and no car came twice$`, s.pagesDistinct)
	sc.Step(`^the similar cars hold dealer stock and the other listing, best first, each with a score and reasons$`, s.similarMixed)
	sc.Step(`^the other listing's reasons are "([^"]*)"$`, s.otherReasons)
	sc.Step(`^the similar cars hold no VIN and no seller$`, func() error {
		body := string(s.answers[0].body)
		for _, bad := range []string{`"vin"`, `"seller"`, "WVWZZZ", "sub-canary"} {
			if strings.Contains(body, bad) {
				return fmt.Errorf("similar cars carry %s: %s", bad, body)
			}
		}
		return nil
	})
	sc.Step(`^the similar cars are listings only, and say dealer stock is unavailable$`, func() error {
		if s.similar.page.Stock != "unavailable" || len(s.similar.page.Items) == 0 {
			return fmt.Errorf("stock %q with %d items", s.similar.page.Stock, len(s.similar.page.Items))
		}
		for _, it := range s.similar.page.Items {
			if it.Kind != "listing" {
				return fmt.Errorf("a %s item while stock is down", it.Kind)
			}
		}
		return nil
	})
	sc.Step(`^the visitor clicks the first dealer car$`, func(ctx context.Context) error {
		for _, it := range s.similar.page.Items {
			if it.Kind == "stock" {
				return s.click(ctx, it.ItemID)
			}
		}
		return fmt.Errorf("no dealer car among %d similar cars", len(s.similar.page.Items))
	})
	sc.Step(`^the visitor clicks a car of dealer-dan's dealer$`, func(ctx context.Context) error {
		for _, it := range s.similar.page.Items {
			if it.Kind == "stock" && it.Dealer != nil && it.Dealer.ID == devoidc.DemoDealerID {
				return s.click(ctx, it.ItemID)
			}
		}
		return fmt.Errorf("no car of dealer-dan's dealer among the similar cars")
	})
	sc.Step(`^the answer links to the dealer's page of that car$`, func() error {
		var c struct {
			ItemID    string `json:"itemId"`
			DealerURL string `json:"dealerUrl"`
		}
		if err := json.Unmarshal(s.answers[0].body, &c); err != nil || c.ItemID != s.similar.clicked ||
			!strings.HasPrefix(c.DealerURL, "https://") || !strings.HasSuffix(c.DealerURL, "/stock/"+s.similar.clicked) {
			return fmt.Errorf("not the dealer's page of %s (%w): %s", s.similar.clicked, err, s.answers[0].body)
		}
		return nil
	})
	sc.Step(`^dealer-dan has looked at the surfaced stock$`, func(ctx context.Context) error {
		if err := s.askDealer(ctx, "dealer-dan", "/dealer/stock/surfaced"); err != nil {
			return err
		}
		counts, err := s.todayCounts()
		s.similar.before = counts
		return err
	})
	sc.Step(`^(alice|bob|dealer-dan|an anonymous visitor) asks for the surfaced stock$`, func(ctx context.Context, who string) error {
		return s.askDealer(ctx, who, "/dealer/stock/surfaced")
	})
	sc.Step(`^(alice|bob|dealer-dan|an anonymous visitor) asks for the market of "([^"]*)"$`, func(ctx context.Context, who, vin string) error {
		return s.askDealer(ctx, who, "/vehicles/"+vin+"/market")
	})
	sc.Step(`^that car shows 1 more impression and 1 more click today than before$`, func() error {
		after, err := s.todayCounts()
		if err != nil {
			return err
		}
		b, a := s.similar.before[s.similar.clicked], after[s.similar.clicked]
		if a[0] != b[0]+1 || a[1] != b[1]+1 {
			return fmt.Errorf("impressions, clicks today %v before, %v after; want one more of each", b, a)
		}
		return nil
	})
	sc.Step(`^the surfaced stock holds counts only, no buyer$`, func() error {
		keys := map[string]bool{}
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					keys[k] = true
					walk(e)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		var v any
		if err := json.Unmarshal(s.answers[0].body, &v); err != nil {
			return err
		}
		walk(v)
		allowed := map[string]bool{"dealerId": true, "firstDay": true, "lastDay": true, "cars": true, "itemId": true, "make": true, "model": true,
			"modelYear": true, "priceEur": true, "impressions": true, "clicks": true, "days": true, "date": true}
		for k := range keys {
			if !allowed[k] {
				return fmt.Errorf("the surfaced stock carries %q: %s", k, s.answers[0].body)
			}
		}
		return nil
	})
	sc.Step(`^the market view is a (\S+) (\S+) of (\d{4}) with ordered price quartiles over at least (\d+) cars$`, s.marketView)
}

func newListingID() string {
	b := make([]byte, 16) // 128 random bits
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// seedListing writes a listing item as the seller routes write it (listings-shared.md), with a
// canary seller and the VIN, which no similar-cars answer may carry.
func (s *scenario) seedListing(ctx context.Context, which string, year int, make, model string, km, price int) error {
	id := newListingID()
	status := "active"
	if which == "a withdrawn" {
		status = "withdrawn"
	}
	n := func(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(v)} }
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	now := dynamo.FormatTime(time.Now())
	item := map[string]types.AttributeValue{
		"pk": str("LISTING#" + id), "sk": str("LISTING"), "id": str(id), "status": str(status),
		"vin": str(freshVIN()), "seller": str("sub-canary"), "make": str(make), "model": str(model),
		"modelYear": n(year), "odometerKm": n(km), "priceEur": n(price), "country": str("DE"), "postalPrefix": str("101"),
		"description": str("seeded by the similar-cars scenarios"), "photos": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
		"verified": str(`{"odometer":{"rollback":false}}`), "createdAt": str(now), "updatedAt": str(now), "version": n(1),
		dynamo.AttrGSI1PK: str("SELLER#sub-canary"), dynamo.AttrGSI1SK: str("LISTING#" + now + "#" + id),
	}
	if status == "active" {
		item[dynamo.AttrGSI2PK] = str(dynamo.ActiveKey(make, model))
		item[dynamo.AttrGSI2SK] = str("LISTING#" + id)
	}
	if _, err := s.stack.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.stack.TableName), Item: item}); err != nil {
		return fmt.Errorf("seed listing: %w", err)
	}
	if which == "another active" {
		s.similar.others = append(s.similar.others, id)
	} else {
		s.similar.listingID, s.similar.others = id, nil
	}
	return nil
}

func (s *scenario) openSimilar(ctx context.Context, query string) error {
	a, err := s.fetch(ctx, s.stack.APIURL+"/listings/"+s.similar.listingID+"/similar"+query)
	s.answers = []answer{a}
	if err != nil {
		return err
	}
	s.similar.page = similarPage{}
	if a.status == http.StatusOK {
		if err := json.Unmarshal(a.body, &s.similar.page); err != nil {
			return fmt.Errorf("not similar cars: %w: %s", err, a.body)
		}
	}
	return nil
}

func (s *scenario) pageThrough(ctx context.Context, n int) error {
	s.similar.pages = nil
	var ids []string
	cursor := ""
	for range 100 {
		q := "?limit=" + strconv.Itoa(n)
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		if err := s.openSimilar(ctx, q); err != nil {
			return err
		}
		s.similar.pages = append(s.similar.pages, s.answers[0])
		for _, it := range s.similar.page.Items {
			ids = append(ids, it.ItemID)
		}
		if s.similar.page.NextCursor == "" || s.answers[0].status != http.StatusOK {
			s.similar.others = ids // reused: every id seen, in order
			return nil
		}
		if len(s.similar.page.Items) != n {
			return fmt.Errorf("a middle page has %d cars, want %d", len(s.similar.page.Items), n)
		}
		cursor = s.similar.page.NextCursor
	}
	return fmt.Errorf("more than 100 pages")
}

func (s *scenario) pagesDistinct() error {
	if len(s.similar.pages) < 2 {
		return fmt.Errorf("only %d page(s): the scenario needs more similar cars", len(s.similar.pages))
	}
	seen := map[string]bool{}
	for i, p := range s.similar.pages {
		if p.status != http.StatusOK {
			return fmt.Errorf("page %d: status %d: %s", i+1, p.status, p.body)
		}
	}
	for _, id := range s.similar.others {
		if seen[id] {
			return fmt.Errorf("%s came twice", id)
		}
		seen[id] = true
	}
	return nil
}

func (s *scenario) similarMixed() error {
	p := s.similar.page
	if p.ListingID != s.similar.listingID || p.Stock != "available" {
		return fmt.Errorf("listing %q, stock %q", p.ListingID, p.Stock)
	}
	kinds := map[string]int{}
	for i, it := range p.Items {
		kinds[it.Kind]++
		if it.ItemID == s.similar.listingID {
			return fmt.Errorf("the listing is similar to itself")
		}
		if it.Score < 0 || it.Score > 100 || len(it.Reasons) == 0 {
			return fmt.Errorf("item %d: score %d, reasons %q", i, it.Score, it.Reasons)
		}
		if i > 0 && it.Score > p.Items[i-1].Score {
			return fmt.Errorf("item %d scores %d above item %d's %d: not best first", i, it.Score, i-1, p.Items[i-1].Score)
		}
		if it.Kind == "stock" && (it.Dealer == nil || it.Dealer.ID == "") {
			return fmt.Errorf("dealer car %s without its dealer", it.ItemID)
		}
	}
	if kinds["stock"] == 0 || kinds["listing"] == 0 {
		return fmt.Errorf("kinds %v: want dealer stock and listings", kinds)
	}
	return nil
}

func (s *scenario) otherReasons(want string) error {
	for _, it := range s.similar.page.Items {
		if len(s.similar.others) > 0 && it.ItemID == s.similar.others[0] {
			if got := strings.Join(it.Reasons, ", "); got != want {
				return fmt.Errorf("reasons %q, want %q", got, want)
			}
			return nil
		}
	}
	return fmt.Errorf("the other listing is not among the similar cars")
}

func (s *scenario) click(ctx context.Context, itemID string) error {
	s.similar.clicked = itemID
	a, err := s.post(ctx, "an anonymous visitor", "/listings/"+s.similar.listingID+"/similar/"+itemID+"/clicks", "")
	s.answers = []answer{a}
	return err
}

// askDealer GETs a path as who (a demo user, or anonymous).
func (s *scenario) askDealer(ctx context.Context, who, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.stack.APIURL+path, nil)
	if err != nil {
		return err
	}
	if who != "an anonymous visitor" {
		tok, err := s.token(ctx, who)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	a, err := s.do(req)
	s.answers = []answer{a}
	return err
}

// todayCounts reads the last surfaced-stock answer: each car's impressions and clicks on its
// last day (the view's "to").
func (s *scenario) todayCounts() (map[string][2]int, error) {
	if s.answers[0].status != http.StatusOK {
		return nil, fmt.Errorf("surfaced stock: status %d: %s", s.answers[0].status, s.answers[0].body)
	}
	var v surfaced
	if err := json.Unmarshal(s.answers[0].body, &v); err != nil || v.DealerID != devoidc.DemoDealerID {
		return nil, fmt.Errorf("not dealer-dan's surfaced stock (%w): %s", err, s.answers[0].body)
	}
	out := map[string][2]int{}
	for _, c := range v.Cars {
		for _, d := range c.Days {
			if d.Date == v.LastDay {
				out[c.ItemID] = [2]int{d.Impressions, d.Clicks}
			}
		}
	}
	return out, nil
}

func (s *scenario) marketView(make, model string, year, atLeast int) error {
	var m struct {
		Vehicle struct {
			Make      string `json:"make"`
			Model     string `json:"model"`
			ModelYear int    `json:"modelYear"`
		} `json:"vehicle"`
		Prices struct {
			Count, MinEur, Q1Eur, MedianEur, Q3Eur, MaxEur int
		} `json:"prices"`
		Items []similarItem `json:"items"`
		Stock string        `json:"stock"`
	}
	body := s.answers[0].body
	if err := json.Unmarshal(body, &m); err != nil {
		return fmt.Errorf("not a market view: %w: %s", err, body)
	}
	if m.Vehicle.Make != make || m.Vehicle.Model != model || m.Vehicle.ModelYear != year || m.Stock != "available" {
		return fmt.Errorf("market view of %+v, stock %q", m.Vehicle, m.Stock)
	}
	p := m.Prices
	if p.Count < atLeast || p.MinEur <= 0 || p.MinEur > p.Q1Eur || p.Q1Eur > p.MedianEur || p.MedianEur > p.Q3Eur || p.Q3Eur > p.MaxEur {
		return fmt.Errorf("prices %+v", p)
	}
	if len(m.Items) == 0 || strings.Contains(string(body), string(world.DemoDealer)) {
		return fmt.Errorf("no items, or the VIN is echoed: %s", body)
	}
	return nil
}
