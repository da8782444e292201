package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/notify"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/ownershipadapters"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
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
	vm          *vehiclemaster.Client
	ws          *workshop.Client
	reg         *regclient.Client
	rc          *recalls.Client
	svc         *ownership.Service
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
		WithAlarm(ownershipadapters.NewLogAlarm(p.log, p.pseudo))
	return p.svc, nil
}
