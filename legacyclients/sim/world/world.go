// Package world is the simulated OEM's data: for every valid VIN of the OEM's makes, one
// consistent vehicle (build, service visits, registrations, inspections, recalls, dealer stock,
// after-sales offers) derived from the VIN alone, plus a few curated demo VINs with a story.
//
// Determinism: a vehicle is a pure function of its VIN and the world's as-of date. Each aspect
// draws from its own PCG stream seeded by a hash of the VIN and the aspect's name, so changing how
// one aspect is generated does not reshuffle the others. There is no global random state.
//
// Consistency: all odometer readings (workshop visits, workshop read-outs, inspections, the dealer
// listing) come from one monotonic mileage curve per vehicle, so they never contradict each other,
// except on the rollback demo, whose curve drops once on purpose.
//
// Unknown VINs: a valid VIN is unknown to every system when its WMI is not the OEM's, when its
// serial number (positions 12-17) starts with "99" (a range the OEM never assigned), or when its
// model year is so far ahead of the as-of date that the car cannot have been built yet.
package world

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// DefaultAsOf is the "today" of the default world. It is fixed rather than the wall clock so
// that a VIN yields the same history on every run and in every test.
var DefaultAsOf = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// World generates vehicles. It is immutable and safe for concurrent use.
type World struct {
	asOf time.Time
}

// New returns a world whose "today" is asOf (truncated to the day, UTC). A zero asOf means
// DefaultAsOf.
func New(asOf time.Time) *World {
	if asOf.IsZero() {
		asOf = DefaultAsOf
	}
	y, m, d := asOf.UTC().Date()
	return &World{asOf: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// AsOf is the world's "today": no event lies after it.
func (w *World) AsOf() time.Time { return w.asOf }

// Visit kinds, as the report names them.
const (
	KindInspection     = "inspection"
	KindOilService     = "oil-service"
	KindRepair         = "repair"
	KindAccidentRepair = "accident-repair"
	KindRecallRepair   = "recall-repair"
	KindTyres          = "tyres"
)

// Keeper kinds.
const (
	KeeperPrivate = "private"
	KeeperCompany = "company"
	KeeperDealer  = "dealer"
)

// Recall statuses.
const (
	RecallOpen      = "open"
	RecallCompleted = "completed"
)

// Vehicle is everything the OEM's systems know about one car.
type Vehicle struct {
	VIN          vehicle.VIN
	Manufacturer vehicle.Manufacturer
	Model        Model // the catalogue entry (name, body, type code)
	ModelYear    int
	Engine       Engine
	Color        Color
	Plant        Plant
	Produced     time.Time
	Equipment    []EquipmentOption // sorted by code, codes unique
	Country      string            // ISO 3166 alpha-2 of the registration country

	Visits []Visit // oldest first
	// WorkshopReadings are odometer read-outs taken at a workshop outside a visit.
	WorkshopReadings []Reading
	Registrations    []Registration // oldest first; the last one is current
	Inspections      []Inspection   // roadworthiness inspections, oldest first
	Recalls          []VehicleRecall

	// Listing is set when the car is currently for sale in dealer stock.
	Listing *Listing
}

// Make is the make's name, e.g. "Volkswagen".
func (v *Vehicle) Make() string { return v.Manufacturer.Make }

// Current is the current registration.
func (v *Vehicle) Current() Registration { return v.Registrations[len(v.Registrations)-1] }

// Owner is the current keeper.
func (v *Vehicle) Owner() Person { return v.Current().Keeper }

// DocumentCode is the code printed on the current registration certificate; whoever holds the
// paper can quote it, which is how ownership is proven.
func (v *Vehicle) DocumentCode() string { return v.Current().DocumentCode }

// LatestKm is the highest odometer reading on record.
func (v *Vehicle) LatestKm() int {
	km := 0
	for _, r := range v.Readings() {
		km = max(km, r.Km)
	}
	return km
}

// Readings are all odometer readings on record (visits, workshop read-outs, inspections),
// oldest first.
func (v *Vehicle) Readings() []Reading {
	var out []Reading
	for _, x := range v.Visits {
		out = append(out, Reading{Date: x.Date, Km: x.Km, Source: vehicle.SourceWorkshop})
	}
	out = append(out, v.WorkshopReadings...)
	for _, x := range v.Inspections {
		out = append(out, Reading{Date: x.Date, Km: x.Km, Source: vehicle.SourceRegistry})
	}
	slices.SortStableFunc(out, func(a, b Reading) int { return a.Date.Compare(b.Date) })
	return out
}

// Visit is one workshop visit.
type Visit struct {
	Date     time.Time
	Km       int
	Kind     string
	Items    []string
	Workshop Workshop
	RecallID string // set on recall-repair visits
}

// Reading is one odometer reading.
type Reading struct {
	Date   time.Time
	Km     int
	Source vehicle.Source
}

// Registration is one keeper's period.
type Registration struct {
	Country    string
	From       time.Time
	To         time.Time // zero while current
	KeeperKind string
	Plate      string
	Keeper     Person
	// DocumentCode is printed on this registration's certificate (8 characters).
	DocumentCode string
	// Contact is where the keeper receives the registry's messages (one-time codes among them);
	// the zero value when the keeper gave none. Only the current registration has one.
	Contact Contact
}

// Contact is a keeper's phone number (E.164) or e-mail address: personal data, never logged.
type Contact struct {
	Channel string // ContactSMS or ContactEmail; empty: none
	Address string
}

// Contact channels.
const (
	ContactSMS   = "sms"
	ContactEmail = "email"
)

// Inspection is a roadworthiness inspection with its odometer reading.
type Inspection struct {
	Date    time.Time
	Km      int
	Result  string // passed, minor-defects
	Station string
}

// VehicleRecall is a campaign and its state for one vehicle.
type VehicleRecall struct {
	Campaign    Campaign
	Status      string
	CompletedOn time.Time // zero while open
}

// Listing is a car for sale in dealer stock.
type Listing struct {
	Dealer   Dealer
	Km       int
	PriceEUR int // whole euros
	ListedOn time.Time
}

// rng derives the PCG stream of one aspect of one VIN.
func rng(vin vehicle.VIN, aspect string) *rand.Rand {
	h := sha256.Sum256([]byte(string(vin) + "\x00" + aspect))
	return rand.New(rand.NewPCG(binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])))
}

// Lookup parses s and returns its vehicle. It reports false for anything the OEM's systems would
// not know, invalid VINs included.
func (w *World) Lookup(s string) (*Vehicle, bool) {
	vin, err := vehicle.ParseVIN(s)
	if err != nil {
		return nil, false
	}
	return w.Vehicle(vin)
}

// Vehicle returns the vehicle of a valid VIN, or false when the OEM's systems do not know it.
func (w *World) Vehicle(vin vehicle.VIN) (*Vehicle, bool) {
	m, ok := vin.Manufacturer()
	if !ok || strings.HasPrefix(string(vin[11:]), "99") {
		return nil, false
	}
	cat := catalog[m.WMI]
	my := vin.ModelYear()
	model := chooseModel(cat, string(vin[6:8]), my, rng(vin, "model"))

	// Model years start in the summer before the year they are named after.
	start := date(my-1, time.June, 1)
	end := date(my, time.May, 31)
	if latest := w.asOf.AddDate(0, 0, -21); end.After(latest) {
		end = latest
	}
	if start.After(end) {
		return nil, false // not built yet
	}
	br := rng(vin, "build")
	v := &Vehicle{
		VIN:          vin,
		Manufacturer: m,
		Model:        model,
		ModelYear:    my,
		Engine:       pick(br, model.Engines),
		Color:        pick(br, cat.Colors),
		Produced:     start.AddDate(0, 0, br.IntN(days(start, end)+1)),
		Country:      countryOf(m.Country).Code,
	}
	v.Plant = plantOf(cat, vin[10], br)
	v.Equipment = chooseEquipment(br, v.Engine.Fuel == "electric")

	p := w.planFor(vin)
	w.history(v, p)
	return v, true
}

func days(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// chooseModel prefers the model the VIN's type code names when it was built in that model year;
// otherwise it picks among the models on sale that year, or the nearest generation.
func chooseModel(cat makeCatalog, typeCode string, my int, r *rand.Rand) Model {
	var onSale []Model
	for _, m := range cat.Models {
		if my < m.FromYear || my > m.ToYear {
			continue
		}
		if m.TypeCode == typeCode {
			return m
		}
		onSale = append(onSale, m)
	}
	if len(onSale) > 0 {
		return pick(r, onSale)
	}
	best, bestGap := cat.Models[0], 1<<30
	for _, m := range cat.Models {
		gap := max(m.FromYear-my, my-m.ToYear)
		if gap < bestGap {
			best, bestGap = m, gap
		}
	}
	return best
}

func plantOf(cat makeCatalog, code byte, r *rand.Rand) Plant {
	for _, p := range cat.Plants {
		if p.VINCode == code {
			return p
		}
	}
	return pick(r, cat.Plants)
}

func chooseEquipment(r *rand.Rand, electric bool) []EquipmentOption {
	var pool []EquipmentOption
	for _, o := range equipmentOptions {
		if (o.ElectricOnly && !electric) || (o.CombustionOnly && electric) {
			continue
		}
		pool = append(pool, o)
	}
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	out := pool[:4+r.IntN(7)]
	slices.SortFunc(out, func(a, b EquipmentOption) int { return strings.Compare(a.Code, b.Code) })
	return out
}
