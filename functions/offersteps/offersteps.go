// Package offersteps holds the steps of the offers state machine (statemachines/offers.asl.json):
// validate the VIN, plan (answer from the cache when it is fresh), fetch (ask the offers system
// behind the cache's single-flight lease) and merge (answer from the fetch result, or from the
// cache when the fetch failed). Which offers the caller sees, and how fresh they are, is decided
// by the offers context (internal/offers); the steps decode, call it and encode.
package offersteps

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/offers"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// VINInput is the validate and fetch steps' input; only the VIN is read.
type VINInput struct {
	VIN string `json:"vin"`
}

// VINOutput carries the VIN normalised (upper case), which every later state uses.
type VINOutput struct {
	VIN vehicle.VIN `json:"vin"`
}

// NewValidate returns the step that checks the VIN before anything is read: a malformed VIN is
// Invalid (naming the field and rule), a VIN of another make NotFound at once.
func NewValidate() step.Handler {
	return step.Typed(func(_ context.Context, in VINInput) (VINOutput, error) {
		v, err := vehicle.ParseVIN(in.VIN)
		if err != nil {
			return VINOutput{}, err
		}
		if err := offers.CheckVehicle(v); err != nil {
			return VINOutput{}, err
		}
		return VINOutput{VIN: v}, nil
	})
}

// PlanInput is the VIN, the caller's access and the offers item the state machine read (null when
// there was none).
type PlanInput struct {
	VIN    string         `json:"vin"`
	Access vehicle.Access `json:"access"`
	Item   dynamo.Item    `json:"item"`
}

// Plan says whether the offers system must be asked; when not, Answer is the response.
type Plan struct {
	Fetch  bool            `json:"fetch"`
	Answer json.RawMessage `json:"answer"`
}

// NewPlan returns the plan step; now is the clock expiry is judged by. A live negative entry
// fails with NotFound without asking the system again.
func NewPlan(now func() time.Time) step.Handler {
	return step.Typed(func(_ context.Context, in PlanInput) (Plan, error) {
		v, err := vehicle.ParseVIN(in.VIN)
		if err != nil {
			return Plan{}, err
		}
		t := now()
		cached, err := dynamo.OffersFromItem(in.Item, t)
		if err != nil {
			return Plan{}, fmt.Errorf("plan offers: %w", err)
		}
		if cached.NeedsFetch(t) {
			return Plan{Fetch: true, Answer: json.RawMessage("null")}, nil
		}
		view, err := offers.Answer(v, in.Access, cached, nil, t)
		if err != nil {
			return Plan{}, err
		}
		b, err := json.Marshal(view)
		if err != nil {
			return Plan{}, fmt.Errorf("encode offers: %w", err)
		}
		return Plan{Answer: b}, nil
	})
}

// MergeInput is the plan's input plus what the fetch state recorded.
type MergeInput struct {
	PlanInput
	Fetched offers.Fetched `json:"fetched"`
}

// NewMerge returns the step that answers after a fetch: its output is the response.
func NewMerge(now func() time.Time) step.Handler {
	return step.Typed(func(_ context.Context, in MergeInput) (offers.View, error) {
		v, err := vehicle.ParseVIN(in.VIN)
		if err != nil {
			return offers.View{}, err
		}
		t := now()
		cached, err := dynamo.OffersFromItem(in.Item, t)
		if err != nil {
			return offers.View{}, fmt.Errorf("merge offers: %w", err)
		}
		return offers.Answer(v, in.Access, cached, &in.Fetched, t)
	})
}

// FetchOptions are the fetch step's dependencies.
type FetchOptions struct {
	Cache *dynamo.OffersCache
	// Log receives one line per fetch with the VIN's pseudonym, never the VIN.
	Log           *slog.Logger
	Pseudonymizer vehicle.Pseudonymizer
	// Margin is kept between the legacy call's deadline and the step's own (the Lambda timeout),
	// so that after a slow call the step can still record the failure. Default 1 s.
	Margin time.Duration
}

// NewFetch returns the step that makes the cached offers current: fetched now, or by a
// concurrent execution holding the lease (then this step made no call). A failure is an error,
// which the state machine catches; an unknown VIN is StatusNotFound, cached as a negative entry.
func NewFetch(o FetchOptions, src offers.Source) step.Handler {
	if o.Margin == 0 {
		o.Margin = time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return step.Typed(func(ctx context.Context, in VINInput) (offers.Fetched, error) {
		v, err := vehicle.ParseVIN(in.VIN)
		if err != nil {
			return offers.Fetched{}, err
		}
		var called atomic.Bool
		start := time.Now()
		e, err := o.Cache.Fetch(ctx, v, func(ctx context.Context) ([]offers.Offer, error) {
			called.Store(true)
			if d, ok := ctx.Deadline(); ok {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, d.Add(-o.Margin))
				defer cancel()
			}
			return src.Offers(ctx, v)
		})
		code := "OK"
		if err != nil {
			code = string(apperr.CodeOf(err))
		}
		o.Log.InfoContext(ctx, "fetch offers", "source", vehicle.SourceOffers, "vin", o.Pseudonymizer.VIN(v),
			"called", called.Load(), "code", code, "ms", time.Since(start).Milliseconds())
		if err != nil {
			return offers.Fetched{}, err
		}
		if e.NotFound {
			return offers.Fetched{Status: offers.StatusNotFound}, nil
		}
		at := e.FetchedAt
		return offers.Fetched{Status: offers.StatusFetched, FetchedAt: &at, Offers: e.Offers}, nil
	})
}
