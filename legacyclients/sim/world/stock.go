package world

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Dealer stock is a deterministic pool: for every (WMI, type code, model year) bucket a handful of
// cars with minted VINs (serials 6xxxxx). A car is in stock exactly when its VIN is in its
// bucket's pool, so stock search and the per-VIN systems agree: a listed car has a dealer as its
// current keeper and a listing mileage equal to its odometer.

// StockQuery selects cars in dealer stock. Zero fields do not filter.
type StockQuery struct {
	Make     string // make name, exact, e.g. "Volkswagen"; required
	Model    string // model name, exact, e.g. "Golf"
	YearFrom int
	YearTo   int
	Fuel     string
	MaxKm    int
	MinPrice int // whole euros
	MaxPrice int // whole euros
	Country  string
}

// SearchStock returns the cars in stock that match q, cheapest first (ties by VIN). An empty Make matches
// nothing: the dealer system refuses to list its whole stock.
func (w *World) SearchStock(q StockQuery) []*Vehicle {
	if q.Make == "" {
		return nil
	}
	var out []*Vehicle
	for _, m := range vehicle.Manufacturers() {
		if m.Make != q.Make {
			continue
		}
		for _, model := range catalog[m.WMI].Models {
			if q.Model != "" && model.Name != q.Model {
				continue
			}
			from, to := model.FromYear, min(model.ToYear, w.asOf.Year()+1)
			if q.YearFrom > 0 {
				from = max(from, q.YearFrom)
			}
			if q.YearTo > 0 {
				to = min(to, q.YearTo)
			}
			for y := from; y <= to; y++ {
				for _, vin := range poolVINs(m.WMI, model.TypeCode, y) {
					v, ok := w.Vehicle(vin)
					if ok && v.Listing != nil && q.matches(v) {
						out = append(out, v)
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b *Vehicle) int {
		if a.Listing.PriceEUR != b.Listing.PriceEUR {
			return a.Listing.PriceEUR - b.Listing.PriceEUR
		}
		return strings.Compare(string(a.VIN), string(b.VIN))
	})
	return out
}

func (q StockQuery) matches(v *Vehicle) bool {
	return (q.Fuel == "" || strings.EqualFold(q.Fuel, v.Engine.Fuel)) &&
		(q.MaxKm <= 0 || v.Listing.Km <= q.MaxKm) &&
		(q.MaxPrice <= 0 || v.Listing.PriceEUR <= q.MaxPrice) &&
		(q.MinPrice <= 0 || v.Listing.PriceEUR >= q.MinPrice) &&
		(q.Country == "" || strings.EqualFold(q.Country, v.Country))
}

// poolVINs mints the stock VINs of one bucket.
func poolVINs(wmi, typeCode string, year int) []vehicle.VIN {
	cat, ok := catalog[wmi]
	if !ok {
		return nil
	}
	onSale := false
	for _, m := range cat.Models {
		onSale = onSale || (m.TypeCode == typeCode && year >= m.FromYear && year <= m.ToYear)
	}
	if !onSale {
		return nil
	}
	key := fmt.Sprintf("pool/%s/%s/%d", wmi, typeCode, year)
	h := sha256.Sum256([]byte(key))
	r := rand.New(rand.NewPCG(binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])))
	n := r.IntN(4)
	demoBucket := wmi == DemoDealer.WMI() && typeCode == string(DemoDealer[6:8]) && year == DemoDealer.ModelYear()
	if demoBucket {
		n = max(n, 3)
	}
	var out []vehicle.VIN
	for range n {
		vin := mintVIN(wmi, typeCode, year, pick(r, cat.Plants).VINCode, fmt.Sprintf("6%05d", r.IntN(100000)))
		if !slices.Contains(out, vin) {
			out = append(out, vin)
		}
	}
	if demoBucket {
		out = append(out, DemoDealer)
	}
	return out
}

// mintVIN assembles a valid VIN in the OEM's European layout: WMI, "ZZZ" filler, type code,
// check digit, model-year code, plant code, serial.
func mintVIN(wmi, typeCode string, year int, plant byte, serial string) vehicle.VIN {
	const yearCodes = "ABCDEFGHJKLMNPRSTVWXY123456789"
	s := []byte(wmi + "ZZZ" + typeCode + "0" + string(yearCodes[(year-1980)%30]) + string(plant) + serial)
	s[8] = vehicle.CheckDigitOf(string(s))
	return vehicle.VIN(s)
}

// MintVIN is mintVIN for tests and tools that need VINs of a given model and year; the result
// passes vehicle.ParseVIN for every catalogue model and year.
func MintVIN(wmi, typeCode string, year int, serial string) vehicle.VIN {
	plant := byte('A')
	if cat, ok := catalog[wmi]; ok {
		plant = cat.Plants[0].VINCode
	}
	return mintVIN(wmi, typeCode, year, plant, serial)
}

func inPool(vin vehicle.VIN) bool {
	return slices.Contains(poolVINs(vin.WMI(), string(vin[6:8]), vin.ModelYear()), vin)
}

// usedPrice depreciates the list price by age and mileage and rounds it the way dealers do
// (…490, …990). The group's dealer system prices in euros in every market.
func usedPrice(v *Vehicle, km int, asOf time.Time) int {
	age := asOf.Sub(v.Produced).Hours() / 24 / 365.25
	eur := float64(v.Model.PriceEUR) * (1 + float64(v.Engine.PowerKW-100)/600) *
		math.Pow(0.88, age) * math.Max(0.35, 1-float64(km)/350000)
	return int(math.Max(1, math.Round(eur/500))*500) - 10
}

// vinChars are the characters a VIN may hold (no I, O, Q).
const vinChars = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"

// RandomVIN draws a valid VIN of one of the OEM's WMIs from r: any positions 4-8 and 11-17, a
// model-year code, the right check digit. Tests use it to check properties over many VINs; some
// of the VINs are unknown to the world (future model years, unassigned serials), as in reality.
func RandomVIN(r *rand.Rand) vehicle.VIN {
	const yearCodes = "ABCDEFGHJKLMNPRSTVWXY123456789"
	ms := vehicle.Manufacturers()
	b := []byte(ms[r.IntN(len(ms))].WMI)
	for i := 3; i < 17; i++ {
		switch i {
		case 8:
			b = append(b, '0')
		case 9:
			b = append(b, yearCodes[r.IntN(len(yearCodes))])
		default:
			b = append(b, vinChars[r.IntN(len(vinChars))])
		}
	}
	b[8] = vehicle.CheckDigitOf(string(b))
	return vehicle.VIN(b)
}
