package wiring

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/functions/offersteps"
	"github.com/acme-oem/vehicle-data/functions/similarity"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/functions/vehiclemarket"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/internal/notify"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/ownershipadapters"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/dealerstock"
	offersclient "github.com/acme-oem/vehicle-data/legacyclients/offers"
	"github.com/acme-oem/vehicle-data/legacyclients/recalls"
	regclient "github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/legacyclients/vehiclemaster"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

// parts builds the steps' dependencies on first use and shares them between the steps of one
// Build: a Lambda builds only what its one step uses, the local stack one of each.
type parts struct {
	cfg    Config
	log    *slog.Logger
	pseudo vehicle.Pseudonymizer
	now    func() time.Time

	api         dynamo.API
	reportCache *dynamo.Cache
	transports  []*transport.Client
	pools       []*http.Transport // the traced transports' connection pools, closed with the parts
	vm          *vehiclemaster.Client
	ws          *workshop.Client
	reg         *regclient.Client
	rc          *recalls.Client
	svc         *ownership.Service
	oc          *offersclient.Client
	offersCache *dynamo.OffersCache
	ds          *dealerstock.Client
	gatherer    *similarity.Gatherer
}

func newParts(cfg Config) *parts {
	p := &parts{cfg: cfg, log: cfg.Log, now: cfg.Now, api: cfg.DynamoDB}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.pseudo = vehicle.NewPseudonymizer(cfg.PseudonymKey)
	return p
}

func (p *parts) close() {
	for _, t := range p.transports {
		t.Close()
	}
	p.transports = nil
	for _, pool := range p.pools {
		pool.CloseIdleConnections()
	}
	p.pools = nil
}

func (p *parts) dynamoDB(ctx context.Context) (dynamo.API, error) {
	if p.api == nil {
		awsCfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws config: %w", err)
		}
		p.api = dynamodb.NewFromConfig(awsCfg)
	}
	return p.api, nil
}

func (p *parts) cache(ctx context.Context) (*dynamo.Cache, error) {
	if p.reportCache != nil {
		return p.reportCache, nil
	}
	api, err := p.dynamoDB(ctx)
	if err != nil {
		return nil, err
	}
	cc := p.cfg.Cache
	if p.cfg.CachePolicy != "" {
		if cc, err = dynamo.ApplyPolicy(cc, []byte(p.cfg.CachePolicy)); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvCachePolicy, err)
		}
	}
	cc.LeaseTTL = catalog.FetchLeaseTTL()
	cc.Now = p.now
	p.reportCache = dynamo.NewCache(api, p.cfg.TableName, cc)
	return p.reportCache, nil
}

func (p *parts) transport(src vehicle.Source) (*transport.Client, error) {
	tc := p.cfg.Transport
	tc.System, tc.BaseURL = string(src), p.cfg.LegacyURLs[src]
	if tc.Hooks.Call == nil && tc.Hooks.BreakerChange == nil {
		tc.Hooks = transportHooks(p.cfg.Metrics, p.log)
	}
	if p.cfg.TracerProvider != nil && tc.Transport == nil {
		pool, rt, err := tracedTransport(p.cfg.TracerProvider, string(src))
		if err != nil {
			return nil, fmt.Errorf("%s transport: %w", src, err)
		}
		p.pools = append(p.pools, pool)
		tc.Transport = rt
	}
	t, err := transport.New(tc)
	if err != nil {
		return nil, fmt.Errorf("%s transport: %w", src, err)
	}
	p.transports = append(p.transports, t)
	return t, nil
}

func (p *parts) vehicleMaster() (*vehiclemaster.Client, error) {
	if p.vm == nil {
		t, err := p.transport(vehicle.SourceVehicleMaster)
		if err != nil {
			return nil, err
		}
		if p.vm, err = vehiclemaster.New(vehiclemaster.Config{Transport: t, Now: p.cfg.Now}); err != nil {
			return nil, fmt.Errorf("vehicle master client: %w", err)
		}
	}
	return p.vm, nil
}

func (p *parts) workshop() (*workshop.Client, error) {
	if p.ws == nil {
		t, err := p.transport(vehicle.SourceWorkshop)
		if err != nil {
			return nil, err
		}
		if p.ws, err = workshop.New(workshop.Config{Transport: t, Now: p.cfg.Now}); err != nil {
			return nil, fmt.Errorf("workshop client: %w", err)
		}
	}
	return p.ws, nil
}

func (p *parts) registry() (*regclient.Client, error) {
	if p.reg == nil {
		t, err := p.transport(vehicle.SourceRegistry)
		if err != nil {
			return nil, err
		}
		if p.reg, err = regclient.New(regclient.Config{Transport: t, Now: p.cfg.Now}); err != nil {
			return nil, fmt.Errorf("registry client: %w", err)
		}
	}
	return p.reg, nil
}

func (p *parts) recalls() (*recalls.Client, error) {
	if p.rc == nil {
		t, err := p.transport(vehicle.SourceRecalls)
		if err != nil {
			return nil, err
		}
		if p.rc, err = recalls.New(recalls.Config{Transport: t, Now: p.cfg.Now}); err != nil {
			return nil, fmt.Errorf("recalls client: %w", err)
		}
	}
	return p.rc, nil
}

// ownership is the proof-of-ownership service on the table, the registry and the outbox.
func (p *parts) ownership(ctx context.Context) (*ownership.Service, error) {
	if p.svc != nil {
		return p.svc, nil
	}
	api, err := p.dynamoDB(ctx)
	if err != nil {
		return nil, err
	}
	reg, err := p.registry()
	if err != nil {
		return nil, err
	}
	coder, err := ownership.NewCoder(p.cfg.OwnershipPepper, ownership.DefaultPolicy().CodeDigits)
	if err != nil {
		return nil, fmt.Errorf("ownership: %w", err)
	}
	var outbox ownership.Outbox = noDelivery{}
	switch {
	case p.cfg.Outbox != nil:
		outbox = p.cfg.Outbox
	case p.cfg.CodeSender != "":
		awsCfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("code delivery: aws configuration: %w", err)
		}
		smsAPI, emailAPI := notify.Clients(awsCfg)
		if outbox, err = notify.New(notify.Config{Contacts: ownershipadapters.NewRegistry(reg), SMS: smsAPI, Email: emailAPI,
			From: p.cfg.CodeSender, Valid: ownership.DefaultPolicy().ChallengeTTL, Log: p.log}); err != nil {
			return nil, fmt.Errorf("code delivery: %w", err)
		}
	}
	p.svc = ownership.NewService(dynamo.NewOwnershipStore(api, p.cfg.TableName),
		ownershipadapters.NewRegistry(reg), outbox, coder, ownership.DefaultPolicy(), p.now).
		WithAlarm(ownershipadapters.NewLogAlarm(p.log, p.pseudo)).
		WithObserver(p.recorder())
	return p.svc, nil
}

// recorder records the steps' metrics on Config.Metrics (none when nil).
func (p *parts) recorder() recorder { return recorder{rec: p.cfg.Metrics, log: p.log} }

// fetchOffers is the offers fetch step on the offers client and the offers cache, which has the
// report cache's tuning but its own expiry policy (dynamo.DefaultOffersPolicy).
func (p *parts) fetchOffers(ctx context.Context) (step.Handler, error) {
	if p.oc == nil {
		t, err := p.transport(vehicle.SourceOffers)
		if err != nil {
			return nil, err
		}
		if p.oc, err = offersclient.New(offersclient.Config{Transport: t, Now: p.cfg.Now}); err != nil {
			return nil, fmt.Errorf("offers client: %w", err)
		}
	}
	if p.offersCache == nil {
		api, err := p.dynamoDB(ctx)
		if err != nil {
			return nil, err
		}
		cc := p.cfg.Cache
		cc.LeaseTTL = catalog.FetchLeaseTTL()
		cc.Now = p.now
		p.offersCache = dynamo.NewOffersCache(api, p.cfg.TableName, cc)
	}
	return offersteps.NewFetch(offersteps.FetchOptions{Cache: p.offersCache, Log: p.log, Pseudonymizer: p.pseudo}, p.oc), nil
}

// dealerStock is the dealer-stock system's client, one per process like the other legacy clients.
func (p *parts) dealerStock() (*dealerstock.Client, error) {
	if p.ds == nil {
		t, err := p.transport(vehicle.SourceDealerStock)
		if err != nil {
			return nil, err
		}
		if p.ds, err = dealerstock.New(dealerstock.Config{Transport: t, Now: p.cfg.Now}); err != nil {
			return nil, fmt.Errorf("dealer stock client: %w", err)
		}
	}
	return p.ds, nil
}

// similarity is what the similar-car steps share: dealer stock and the listings table.
func (p *parts) similarity(ctx context.Context) (*similarity.Gatherer, error) {
	if p.gatherer != nil {
		return p.gatherer, nil
	}
	api, err := p.dynamoDB(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := p.dealerStock()
	if err != nil {
		return nil, err
	}
	p.gatherer = &similarity.Gatherer{Stock: ds, Store: dynamo.NewSimilar(api, p.cfg.TableName), Log: p.log, Now: p.now}
	return p.gatherer, nil
}

// builds tells a VIN's make, model and model year for the market view: from the report cache's
// vehicle-master section when one is there (any age: a car's build does not change), else from
// the vehicle master itself.
func (p *parts) builds(ctx context.Context) (vehiclemarket.Builds, error) {
	cache, err := p.cache(ctx)
	if err != nil {
		return nil, err
	}
	vm, err := p.vehicleMaster()
	if err != nil {
		return nil, err
	}
	return vehiclemarket.BuildsFunc(func(ctx context.Context, vin vehicle.VIN) (listing.Car, error) {
		var b *report.BuildData
		if c, err := cache.Get(ctx, vin, vehicle.SourceVehicleMaster); err == nil && c.Present {
			var d report.SourceData
			if json.Unmarshal(c.Public, &d) == nil {
				b = d.Build
			}
		}
		if b == nil {
			if b, err = vm.FetchBuild(ctx, vin); err != nil {
				return listing.Car{}, fmt.Errorf("market: build record: %w", err)
			}
		}
		return listing.Car{Make: b.Make, Model: b.Model, ModelYear: b.ModelYear}, nil
	}), nil
}
