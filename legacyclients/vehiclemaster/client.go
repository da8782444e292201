// Package vehiclemaster is the client of the vehicle master (build data and factory equipment),
// a REST + JSON system. wire.go documents the wire format; the simulator imports it.
package vehiclemaster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/upstream"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// System is the transport.Config.System name for this client.
const System = string(vehicle.SourceVehicleMaster)

const label = "vehicle master"

// Config configures a Client.
type Config struct {
	// Transport is this system's resilient transport (it owns the system's breaker); required.
	Transport *transport.Client
	// Now is the clock that judges "a date in the future"; nil means time.Now.
	Now func() time.Time
}

// Client implements report.BuildSource. Safe for concurrent use.
type Client struct {
	tc  *transport.Client
	now func() time.Time
}

var _ report.BuildSource = (*Client)(nil)

// New returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Transport == nil {
		return nil, errors.New("vehiclemaster: Config.Transport is required")
	}
	return &Client{tc: cfg.Transport, now: upstream.NowFunc(cfg.Now)}, nil
}

// FetchBuild returns the validated build record. Errors follow the vehicle ports contract.
func (c *Client) FetchBuild(ctx context.Context, vin vehicle.VIN) (*report.BuildData, error) {
	if err := upstream.CheckVIN(System, OperationGetBuild, label, vin); err != nil {
		return nil, err
	}
	resp, err := c.tc.Do(ctx, upstream.GetJSON(OperationGetBuild, BuildPath(string(vin)), nil))
	if err != nil {
		return nil, upstream.Wrap(label, err)
	}
	var wire BuildResponse
	if err := upstream.DecodeJSON(resp.Body, &wire); err != nil {
		return nil, c.bad(resp, err)
	}
	out, err := toBuild(&wire, vin, c.now())
	if err != nil {
		return nil, c.bad(resp, err)
	}
	return out, nil
}

func (c *Client) bad(resp *transport.Response, cause error) error {
	return upstream.Wrap(label, c.tc.BadPayload(OperationGetBuild, resp, fmt.Errorf("build record: %w", cause)))
}

// toBuild validates the wire record and maps it to the domain.
func toBuild(w *BuildResponse, vin vehicle.VIN, now time.Time) (*report.BuildData, error) {
	var v upstream.Violations
	if w.VIN != string(vin) {
		v.Addf("vin: does not match the requested VIN")
	}
	for _, f := range [][2]string{
		{"make", w.Make}, {"model", w.Model}, {"bodyType", w.BodyType}, {"engine.code", w.Engine.Code},
		{"exteriorColor.code", w.ExteriorColor.Code}, {"exteriorColor.name", w.ExteriorColor.Name},
		{"plant.code", w.Plant.Code}, {"plant.name", w.Plant.Name},
	} {
		if !upstream.Required(f[1]) {
			v.Addf("%s: required", f[0])
		}
	}
	// Enumerations are closed: another value means another schema version, not data to pass on.
	if !slices.Contains([]string{"petrol", "diesel", "electric", "hybrid", "cng"}, w.Engine.Fuel) {
		v.Addf("engine.fuel: unknown value")
	}
	if !slices.Contains([]string{"manual", "automatic", "dsg"}, w.Transmission) {
		v.Addf("transmission: unknown value")
	}
	if !slices.Contains([]string{"fwd", "rwd", "awd"}, w.Drive) {
		v.Addf("drive: unknown value")
	}
	if w.Engine.PowerKW < 1 || w.Engine.PowerKW > 2000 {
		v.Addf("engine.powerKw: out of range 1..2000")
	}
	if w.ModelYear < upstream.EarliestYear || w.ModelYear > now.Year()+1 {
		v.Addf("modelYear: impossible")
	}
	if d, ok := upstream.Day(w.ProductionDate, now); !ok {
		v.Addf("productionDate: not a past YYYY-MM-DD date")
	} else if d.Year() < w.ModelYear-2 || d.Year() > w.ModelYear+1 {
		v.Addf("productionDate: inconsistent with modelYear")
	}
	if w.Equipment == nil {
		v.Addf("equipment: required (may be empty)")
	}
	seen := make(map[string]bool, len(w.Equipment))
	equipment := make([]report.Equipment, 0, len(w.Equipment))
	for i, e := range w.Equipment {
		if !upstream.Required(e.Code) || !upstream.Required(e.Description) || !upstream.Required(e.Category) {
			v.Addf("equipment[%d]: code, description and category are required", i)
		}
		if seen[e.Code] {
			v.Addf("equipment[%d].code: repeated", i)
		}
		seen[e.Code] = true
		equipment = append(equipment, report.Equipment{Code: e.Code, Description: e.Description, Category: e.Category})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &report.BuildData{
		Make:           w.Make,
		Model:          w.Model,
		ModelYear:      w.ModelYear,
		BodyType:       w.BodyType,
		EngineCode:     w.Engine.Code,
		Fuel:           w.Engine.Fuel,
		PowerKW:        w.Engine.PowerKW,
		Transmission:   w.Transmission,
		Drive:          w.Drive,
		ExteriorColor:  w.ExteriorColor.Name,
		Plant:          w.Plant.Name,
		ProductionDate: w.ProductionDate,
		Equipment:      equipment,
	}, nil
}
