package stack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/cucumber/godog"
)

// listingState is what the seller scenarios remember between steps.
type listingState struct {
	key       string // the Idempotency-Key of the last create
	id        string
	firstETag string
	etag      string
	headers   http.Header
	created   int // creates sent, for fresh keys
	counted   int // the seller's listings before a step
}

// listingView is the part of a listing response the steps check.
type listingView struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	ShareURL string `json:"shareUrl"`
	PriceEur int    `json:"priceEur"`
	Verified struct {
		SnapshotAt string `json:"snapshotAt"`
		Facts      map[string]json.RawMessage
	} `json:"-"`
}

func (s *scenario) registerListings(sc *godog.ScenarioContext) {
	sc.Step(`^a car (alice|bob) has proven (?:she|he) owns with the code on its registration document$`, s.proveByDocument)
	sc.Step(`^(alice|bob|dealer-dan|an anonymous visitor) lists it for (\d+) EUR$`, func(ctx context.Context, who string, price int) error {
		return s.createListing(ctx, who, price, "https://img.example.com/golf-front.jpg", true)
	})
	sc.Step(`^(alice) has listed it for (\d+) EUR$`, func(ctx context.Context, who string, price int) error {
		if err := s.createListing(ctx, who, price, "https://img.example.com/golf-front.jpg", true); err != nil {
			return err
		}
		return s.answerIs(http.StatusCreated)
	})
	sc.Step(`^(alice) lists it with a photo at "([^"]*)"$`, func(ctx context.Context, who, photo string) error {
		return s.createListing(ctx, who, 18500, photo, true)
	})
	sc.Step(`^(alice) lists it again with the same Idempotency-Key$`, func(ctx context.Context, who string) error {
		return s.createListing(ctx, who, 18500, "https://img.example.com/golf-front.jpg", false)
	})
	sc.Step(`^(alice) lists it again under another Idempotency-Key$`, func(ctx context.Context, who string) error {
		return s.createListing(ctx, who, 18500, "https://img.example.com/golf-front.jpg", true)
	})
	sc.Step(`^the listing is active with a share link$`, func() error {
		v, err := s.lastListing()
		if err != nil {
			return err
		}
		if v.Status != "active" || !strings.HasSuffix(v.ShareURL, "/l/"+v.ID) || s.listing.etag == "" {
			return fmt.Errorf("listing %+v, ETag %q", v, s.listing.etag)
		}
		if loc := s.listing.headers.Get("Location"); loc != "/api/listings/"+v.ID {
			return fmt.Errorf("Location %q", loc)
		}
		return nil
	})
	sc.Step(`^the listing shows the verified make, model and odometer with their sources$`, func() error {
		v, err := s.lastListing()
		if err != nil {
			return err
		}
		for _, f := range []string{"make", "model", "modelYear", "odometer", "service", "openRecalls", "rollbackDetected", "accidentRecorded"} {
			var fact struct {
				Value     json.RawMessage `json:"value"`
				Source    string          `json:"source"`
				FetchedAt string          `json:"fetchedAt"`
			}
			if err := json.Unmarshal(v.Verified.Facts[f], &fact); err != nil || fact.Source == "" || len(fact.Value) == 0 || fact.FetchedAt == "" {
				return fmt.Errorf("verified fact %s missing or without source and time: %s", f, s.answers[0].body)
			}
		}
		return nil
	})
	sc.Step(`^no listing answer carries the owner's personal data$`, func(ctx context.Context) error {
		return s.noPersonalData(ctx)
	})
	sc.Step(`^it is the same listing$`, func() error {
		v, err := s.lastListing()
		if err != nil {
			return err
		}
		if v.ID != s.listing.id {
			return fmt.Errorf("listing %s, want the first one %s", v.ID, s.listing.id)
		}
		return nil
	})
	sc.Step(`^the answer names the existing listing$`, func() error {
		if !strings.Contains(string(s.answers[0].body), s.listing.id) {
			return fmt.Errorf("409 does not name %s: %s", s.listing.id, s.answers[0].body)
		}
		return nil
	})
	sc.Step(`^an anonymous visitor opens the share link$`, func(ctx context.Context) error {
		return s.listingCall(ctx, "an anonymous visitor", http.MethodGet, "/listings/"+s.listing.id, "", nil)
	})
	sc.Step(`^(alice|bob) changes the price to (\d+) EUR (with the ETag she read|with the ETag she read first|without an ETag|with the current ETag)$`,
		func(ctx context.Context, who string, price int, how string) error {
			h := map[string]string{}
			switch how {
			case "with the ETag she read", "with the current ETag":
				h["If-Match"] = s.listing.etag
			case "with the ETag she read first":
				h["If-Match"] = s.listing.firstETag
			}
			err := s.listingCall(ctx, who, http.MethodPatch, "/listings/"+s.listing.id, fmt.Sprintf(`{"priceEur":%d}`, price), h)
			if err == nil && s.answers[0].status == http.StatusOK {
				s.listing.etag = s.listing.headers.Get("ETag")
			}
			return err
		})
	sc.Step(`^the listing's price is (\d+) EUR$`, func(price int) error {
		v, err := s.lastListing()
		if err != nil {
			return err
		}
		if v.PriceEur != price {
			return fmt.Errorf("price %d, want %d", v.PriceEur, price)
		}
		return nil
	})
	sc.Step(`^(alice|bob) withdraws the listing$`, func(ctx context.Context, who string) error {
		return s.listingCall(ctx, who, http.MethodDelete, "/listings/"+s.listing.id, "", nil)
	})
	sc.Step(`^(alice|bob) looks at (?:her|his) listings$`, func(ctx context.Context, who string) error {
		return s.listingCall(ctx, who, http.MethodGet, "/me/listings", "", nil)
	})
	sc.Step(`^her listings include the withdrawn one$`, func() error {
		ls, err := s.myListings()
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(ls, func(v listingView) bool { return v.ID == s.listing.id && v.Status == "withdrawn" }) {
			return fmt.Errorf("withdrawn listing %s not among %s", s.listing.id, s.answers[0].body)
		}
		return nil
	})
	count := func(ctx context.Context, who string) (int, error) {
		if err := s.listingCall(ctx, who, http.MethodGet, "/me/listings", "", nil); err != nil {
			return 0, err
		}
		ls, err := s.myListings()
		return len(ls), err
	}
	sc.Step(`^(alice) has counted her listings$`, func(ctx context.Context, who string) (err error) {
		s.listing.counted, err = count(ctx, who)
		return err
	})
	sc.Step(`^(alice) has as many listings as before$`, func(ctx context.Context, who string) error {
		n, err := count(ctx, who)
		if err == nil && n != s.listing.counted {
			return fmt.Errorf("%d listings, %d before: a refused create left one", n, s.listing.counted)
		}
		return err
	})
}

// proveByDocument takes a fresh car through the real proof: a document-code challenge, the code
// from the development outbox, the verify call.
func (s *scenario) proveByDocument(ctx context.Context, user string) error {
	s.vin = freshVIN()
	a, err := s.fetch(ctx, s.stack.URL+"/dev/outbox?vin="+s.vin)
	if err != nil {
		return err
	}
	var box struct {
		DocumentCode string `json:"documentCode"`
	}
	if err := json.Unmarshal(a.body, &box); err != nil || box.DocumentCode == "" {
		return fmt.Errorf("no document code in the outbox (%w): %s", err, a.body)
	}
	if err := s.startChallenge(ctx, user, "document-code"); err != nil {
		return err
	}
	if err := s.answerChallenge(ctx, user, box.DocumentCode); err != nil {
		return err
	}
	return s.answerIs(http.StatusOK)
}

func (s *scenario) createListing(ctx context.Context, who string, price int, photo string, newKey bool) error {
	if newKey || s.listing.key == "" {
		s.listing.created++
		s.listing.key = fmt.Sprintf("accept-%s-%d", s.vin, s.listing.created)
	}
	body := fmt.Sprintf(`{"vin":%q,"priceEur":%d,"description":"Well kept, full service history.","photos":[%q],"region":{"country":"DE","postalPrefix":"101"}}`,
		s.vin, price, photo)
	if err := s.listingCall(ctx, who, http.MethodPost, "/listings", body, map[string]string{"Idempotency-Key": s.listing.key}); err != nil {
		return err
	}
	if s.answers[0].status == http.StatusCreated && s.listing.id == "" {
		v, err := s.lastListing()
		if err != nil {
			return err
		}
		s.listing.id, s.listing.etag, s.listing.firstETag = v.ID, s.listing.headers.Get("ETag"), s.listing.headers.Get("ETag")
	}
	return nil
}

// listingCall sends a request as a demo user or anonymously and keeps the answer and headers.
func (s *scenario) listingCall(ctx context.Context, who, method, path, body string, headers map[string]string) error {
	req, err := http.NewRequestWithContext(ctx, method, s.stack.APIURL+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if who != "an anonymous visitor" {
		tok, err := s.token(ctx, who)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	a := answer{status: res.StatusCode}
	var buf strings.Builder
	if _, err := bufCopy(&buf, res); err != nil {
		return err
	}
	a.body = []byte(buf.String())
	s.answers = []answer{a}
	s.listing.headers = res.Header
	return nil
}

func (s *scenario) lastListing() (listingView, error) {
	if len(s.answers) == 0 {
		return listingView{}, errors.New("no answer yet")
	}
	var v listingView
	if err := json.Unmarshal(s.answers[0].body, &v); err != nil || v.ID == "" {
		return listingView{}, fmt.Errorf("not a listing (%w): %d %s", err, s.answers[0].status, s.answers[0].body)
	}
	var raw struct {
		Verified map[string]json.RawMessage `json:"verified"`
	}
	if err := json.Unmarshal(s.answers[0].body, &raw); err != nil {
		return listingView{}, fmt.Errorf("verified: %w", err)
	}
	v.Verified.Facts = raw.Verified
	return v, nil
}

func (s *scenario) myListings() ([]listingView, error) {
	var out struct {
		Listings []listingView `json:"listings"`
	}
	if err := json.Unmarshal(s.answers[0].body, &out); err != nil {
		return nil, fmt.Errorf("not a listing list (%w): %s", err, s.answers[0].body)
	}
	return out.Listings, nil
}

// noPersonalData compares the listing answer with the owner's own report: none of the owner-only
// values (keeper, plates, exact dates, workshops) may appear in it, nor the VIN.
func (s *scenario) noPersonalData(ctx context.Context) error {
	listingBody := string(s.answers[0].body)
	tok, err := s.token(ctx, "alice")
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.stack.APIURL+"/vehicles/"+s.vin, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	a, err := s.do(req)
	if err != nil {
		return err
	}
	var rep struct {
		Access string `json:"access"`
		Owner  struct {
			Data map[string]string `json:"data"`
		} `json:"owner"`
		Registration struct {
			Data struct {
				Registrations []struct {
					Plate string `json:"plate"`
				} `json:"registrations"`
			} `json:"data"`
		} `json:"registration"`
	}
	if err := json.Unmarshal(a.body, &rep); err != nil || rep.Access != "owner" {
		return fmt.Errorf("alice's report is not the owner view (%w): %.200s", err, a.body)
	}
	personal := []string{s.vin}
	for _, v := range rep.Owner.Data {
		if len(v) >= 4 {
			personal = append(personal, v)
		}
	}
	for _, r := range rep.Registration.Data.Registrations {
		if r.Plate != "" {
			personal = append(personal, r.Plate)
		}
	}
	if len(personal) < 2 {
		return fmt.Errorf("the owner view has no personal values to look for: %.300s", a.body)
	}
	for _, p := range personal {
		if strings.Contains(listingBody, p) {
			return fmt.Errorf("the listing carries a personal value of the owner's report")
		}
	}
	return nil
}

func bufCopy(dst *strings.Builder, res *http.Response) (int64, error) {
	n, err := io.Copy(dst, res.Body)
	if err != nil {
		return n, fmt.Errorf("read answer: %w", err)
	}
	return n, nil
}
