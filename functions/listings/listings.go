// Package listings holds the Lambda steps of the seller listing routes (statemachines/listing*.asl.json):
// create-listing, read-listing and change-listing. Each decodes the execution input the gateway
// builds (path parameters, body, declared headers under "headers", caller), calls
// listing.Service and answers in the response envelope {headers: {ETag, Location}, body} that
// x-response-envelope operations use.
//
// The VIN and the seller's subject never leave these steps in a response, and never reach a log:
// a listing's public view has neither.
package listings

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/internal/oidc"
	"github.com/acme-oem/vehicle-data/internal/report"
)

// Headers are the declared request headers the gateway passes ("" when absent).
type Headers struct {
	IdempotencyKey string `json:"Idempotency-Key"`
	IfMatch        string `json:"If-Match"`
}

// Event is the input of every listing step: the execution input plus what earlier states added.
type Event struct {
	Action  string          `json:"action"` // read-listing: public | mine; change-listing: update | withdraw | prepare-refresh | refresh
	ID      string          `json:"id"`
	Caller  oidc.Caller     `json:"caller"`
	Headers Headers         `json:"headers"`
	Body    json.RawMessage `json:"body"`
	// Report is the vehicle-report machine's output (create, refresh): redacted again here.
	Report *report.Report `json:"report"`
}

// Envelope is the response as x-response-envelope operations carry it.
type Envelope struct {
	Headers map[string]string `json:"headers"`
	Body    any               `json:"body"`
}

// Config is what the steps share.
type Config struct {
	Service *listing.Service
	// SiteURL is the site's origin for share links ("" gives site-relative links).
	SiteURL string
}

// RequireSeller lets only signed-in consumers sell: anonymous callers sign in first, dealers
// list their stock elsewhere.
func RequireSeller(c oidc.Caller) error {
	switch {
	case c.Role == oidc.RoleAnonymous || c.Subject == "":
		return apperr.New(apperr.Unauthenticated, "sign in to manage listings")
	case c.Role != oidc.RoleConsumer:
		return apperr.New(apperr.Forbidden, "only consumer accounts can sell a vehicle")
	}
	return nil
}

func (c Config) envelope(l listing.Listing) Envelope {
	return Envelope{
		Headers: map[string]string{"ETag": l.ETag(), "Location": "/api/listings/" + l.ID},
		Body:    l.PublicView(c.SiteURL),
	}
}

// NewCreate is create-listing: POST /listings after the ownership check, with the public report.
func NewCreate(c Config) step.Handler {
	return step.Typed(func(ctx context.Context, ev Event) (Envelope, error) {
		if err := RequireSeller(ev.Caller); err != nil {
			return Envelope{}, err
		}
		var d listing.Draft
		if err := decodeBody(ev.Body, &d); err != nil {
			return Envelope{}, err
		}
		if ev.Report == nil {
			return Envelope{}, apperr.New(apperr.Unavailable, "the verified record is unavailable; try again")
		}
		v := Snapshot(*ev.Report)
		if v.Make == nil || v.Model == nil {
			return Envelope{}, apperr.New(apperr.Unavailable, "the vehicle's build record is unavailable; try again")
		}
		v.SnapshotAt = now(c)
		l, err := c.Service.Create(ctx, listing.CreateRequest{Seller: ev.Caller.Subject,
			IdempotencyKey: ev.Headers.IdempotencyKey, Draft: d, Verified: v})
		if err != nil {
			return Envelope{}, err
		}
		return c.envelope(l), nil
	})
}

// Mine is GET /me/listings.
type Mine struct {
	Listings []listing.View `json:"listings"`
}

// NewRead is read-listing: GET /listings/{id} (public) and GET /me/listings (mine).
func NewRead(c Config) step.Handler {
	return step.Typed(func(ctx context.Context, ev Event) (Envelope, error) {
		switch ev.Action {
		case "public":
			l, err := c.Service.Public(ctx, ev.ID)
			if err != nil {
				return Envelope{}, err
			}
			return c.envelope(l), nil
		case "mine":
			if err := RequireSeller(ev.Caller); err != nil {
				return Envelope{}, err
			}
			ls, err := c.Service.Mine(ctx, ev.Caller.Subject)
			if err != nil {
				return Envelope{}, err
			}
			out := Mine{Listings: make([]listing.View, len(ls))}
			for i, l := range ls {
				out.Listings[i] = l.PublicView(c.SiteURL)
			}
			return Envelope{Headers: map[string]string{}, Body: out}, nil
		}
		return Envelope{}, apperr.New(apperr.Internal, "unknown read-listing action")
	})
}

// Prepared is prepare-refresh's result: the VIN the state machine asks the report for. It stays
// inside the execution.
type Prepared struct {
	VIN string `json:"vin"`
}

// NewChange is change-listing: PATCH, DELETE and refresh of /listings/{id}, the seller only.
func NewChange(c Config) step.Handler { return step.Typed(c.change) }

func (c Config) change(ctx context.Context, ev Event) (any, error) {
	if err := RequireSeller(ev.Caller); err != nil {
		return nil, err
	}
	switch ev.Action {
	case "update":
		var p listing.Patch
		if err := decodeBody(ev.Body, &p); err != nil {
			return nil, err
		}
		l, err := c.Service.Update(ctx, ev.ID, ev.Caller.Subject, ev.Headers.IfMatch, p)
		if err != nil {
			return nil, err
		}
		return c.envelope(l), nil
	case "withdraw":
		if err := c.Service.Withdraw(ctx, ev.ID, ev.Caller.Subject); err != nil {
			return nil, err
		}
		return Envelope{Headers: map[string]string{}}, nil
	case "prepare-refresh":
		l, err := c.Service.ForSeller(ctx, ev.ID, ev.Caller.Subject)
		if err != nil {
			return nil, err
		}
		return Prepared{VIN: string(l.VIN)}, nil
	case "refresh":
		if ev.Report == nil {
			return nil, apperr.New(apperr.Unavailable, "the verified record is unavailable; try again")
		}
		v := Snapshot(*ev.Report)
		if v.Make == nil || v.Model == nil {
			return nil, apperr.New(apperr.Unavailable, "the vehicle's build record is unavailable; try again")
		}
		v.SnapshotAt = now(c)
		l, err := c.Service.Refresh(ctx, ev.ID, ev.Caller.Subject, v)
		if err != nil {
			return nil, err
		}
		return c.envelope(l), nil
	}
	return nil, apperr.New(apperr.Internal, "unknown change-listing action")
}

func now(c Config) time.Time {
	if c.Service != nil && c.Service.Now != nil {
		return c.Service.Now().UTC()
	}
	return time.Now().UTC()
}

// decodeBody decodes a request body strictly: an unknown field is a 400 naming it, so a client
// sending e.g. "address" learns that it is not kept instead of believing it was.
func decodeBody(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return apperr.InvalidField("body", "required", "a request body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.InvalidField("body", "schema", "the body does not match the schema")
	}
	return nil
}
