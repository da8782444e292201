// Package fetchsource holds the vehicle-report steps that ask one legacy system each (vehicle
// master, workshop, registry, recalls). They are four Lambda functions, each with its own
// timeout and IAM scope, but one package: they differ only in the port they call and how its
// answer fills the report, and the single-flight caching around the call is the same.
//
// A step returns the source's current data: fetched now, or fetched by a concurrent execution
// that held the (VIN, source) lease (then this step made no call). A failure is an error (the
// state machine's Catch marks the section unavailable); an unknown VIN is not: the vehicle master
// answers StatusNotFound, cached as a negative entry, and the merge step fails the report.
package fetchsource

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Options are the dependencies shared by the four steps.
type Options struct {
	Cache *dynamo.Cache
	// Log receives one line per step with the VIN's pseudonym, never the VIN.
	Log           *slog.Logger
	Pseudonymizer vehicle.Pseudonymizer
	// Margin is kept between the legacy call's deadline and the step's own deadline (the Lambda
	// timeout), so that after a slow call the step can still record the failure and answer
	// before the Task times out. Default 1 s.
	Margin time.Duration
}

// NewVehicleMaster returns the step that fetches build data.
func NewVehicleMaster(o Options, src report.BuildSource) step.Handler {
	return newStep(o, vehicle.SourceVehicleMaster, true, func(ctx context.Context, v vehicle.VIN) (report.SourceData, error) {
		b, err := src.FetchBuild(ctx, v)
		return report.SourceData{Build: b}, err
	})
}

// NewWorkshop returns the step that fetches the service history and its odometer readings.
func NewWorkshop(o Options, src report.WorkshopSource) step.Handler {
	return newStep(o, vehicle.SourceWorkshop, false, func(ctx context.Context, v vehicle.VIN) (report.SourceData, error) {
		s, odo, err := src.FetchService(ctx, v)
		if apperr.CodeOf(err) == apperr.NotFound {
			// The workshop system knows only cars that visited a workshop.
			return report.SourceData{Service: &report.ServiceData{Visits: []report.ServiceVisit{}}, Odometer: []report.OdometerReading{}}, nil
		}
		return report.SourceData{Service: s, Odometer: nonNil(odo)}, err
	})
}

// NewRegistry returns the step that fetches registrations, the current keeper and the
// inspection odometer readings.
func NewRegistry(o Options, src report.RegistrySource) step.Handler {
	return newStep(o, vehicle.SourceRegistry, false, func(ctx context.Context, v vehicle.VIN) (report.SourceData, error) {
		r, owner, odo, err := src.FetchRegistration(ctx, v)
		if apperr.CodeOf(err) == apperr.NotFound {
			// Never registered (a new or export car): no keepers, no inspections.
			return report.SourceData{Registration: &report.RegistrationData{Registrations: []report.Registration{}}, Odometer: []report.OdometerReading{}}, nil
		}
		return report.SourceData{Registration: r, Owner: owner, Odometer: nonNil(odo)}, err
	})
}

// NewRecalls returns the step that fetches recall campaigns.
func NewRecalls(o Options, src report.RecallSource) step.Handler {
	return newStep(o, vehicle.SourceRecalls, false, func(ctx context.Context, v vehicle.VIN) (report.SourceData, error) {
		r, err := src.FetchRecalls(ctx, v)
		if apperr.CodeOf(err) == apperr.NotFound {
			return report.SourceData{Recalls: &report.RecallData{Campaigns: []report.Recall{}}}, nil
		}
		return report.SourceData{Recalls: r}, err
	})
}

func nonNil(rs []report.OdometerReading) []report.OdometerReading {
	if rs == nil {
		return []report.OdometerReading{}
	}
	return rs
}

// Event is a fetch step's input.
type Event struct {
	VIN    string         `json:"vin"`
	Access vehicle.Access `json:"access"`
	// Refresh is set by the report-refresh machine: a report has already served the stale
	// entry, so the step asks the source only when nobody else is (dynamo.Cache.Refresh), never
	// waits for another caller, and answers only the status (no data: the execution's output is
	// discarded and should carry nothing personal).
	Refresh bool `json:"refresh,omitempty"`
}

type callFunc func(ctx context.Context, v vehicle.VIN) (report.SourceData, error)

func newStep(o Options, src vehicle.Source, negative bool, call callFunc) step.Handler {
	if o.Margin == 0 {
		o.Margin = time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return step.Typed(func(ctx context.Context, in Event) (report.FetchResult, error) {
		v, err := vehicle.ParseVIN(in.VIN)
		if err != nil {
			return report.FetchResult{}, err
		}
		var called atomic.Bool
		fetch := func(ctx context.Context) (dynamo.Record, error) {
			called.Store(true)
			if d, ok := ctx.Deadline(); ok {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, d.Add(-o.Margin))
				defer cancel()
			}
			fetchedAt := o.Cache.Now()
			data, err := call(ctx, v)
			if negative && apperr.CodeOf(err) == apperr.NotFound {
				return dynamo.Record{FetchedAt: fetchedAt, NotFound: true}, nil
			}
			if err != nil {
				return dynamo.Record{}, fmt.Errorf("fetch %s: %w", src, err)
			}
			return dynamo.NewRecord(data, fetchedAt, o.Cache.Policy(src).Personal)
		}
		start := time.Now()
		if in.Refresh {
			current, err := o.Cache.Refresh(ctx, v, src, fetch)
			o.Log.InfoContext(ctx, "refresh source", "source", src, "vin", o.Pseudonymizer.VIN(v),
				"called", called.Load(), "code", codeOf(err), "ms", time.Since(start).Milliseconds())
			if err != nil {
				return report.FetchResult{}, err
			}
			if !current {
				return report.FetchResult{Source: src, Status: report.StatusSkipped}, nil
			}
			return report.FetchResult{Source: src, Status: report.StatusFetched}, nil
		}
		e, err := o.Cache.Fetch(ctx, v, src, in.Access == vehicle.AccessOwner, fetch)
		o.Log.InfoContext(ctx, "fetch source", "source", src, "vin", o.Pseudonymizer.VIN(v),
			"called", called.Load(), "code", codeOf(err), "ms", time.Since(start).Milliseconds())
		if err != nil {
			return report.FetchResult{}, err
		}
		return report.ResultFromCached(e)
	})
}

func codeOf(err error) string {
	if err == nil {
		return "OK"
	}
	return string(apperr.CodeOf(err))
}
