package listing

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/acme-oem/vehicle-data/internal/apperr"
)

// Similar cars: beside a listing, buyers see other active seller listings and dealer stock,
// ranked by one documented, deterministic function. It sees only car facts (make, model, model
// year, mileage, price, whether the history is verified): never who sells or who looks, so the
// order is the same for every buyer and holds no personal data.

// Kind says where a similar car comes from.
type Kind string

// The kinds.
const (
	KindListing Kind = "listing" // another seller's active listing
	KindStock   Kind = "stock"   // a car in an OEM dealer's stock
)

// Car is the car the buyer looks at (or the dealer prices): the facts ranking compares with.
// OdometerKm or PriceEur zero means unknown (a VIN's market view knows neither): that distance
// then scores nothing for any candidate and gives no reason.
type Car struct {
	Make       string
	Model      string
	ModelYear  int
	OdometerKm int
	PriceEur   int
}

// Candidate is a car that may be shown as similar.
type Candidate struct {
	ID   string // the listing id or the dealer stock id; unique within its kind
	Kind Kind
	Car
	// Verified says the car's history is verified against the OEM's records without a warning
	// (an odometer rollback): true for seller listings with a clean snapshot, false for stock,
	// whose history the stock system does not vouch for.
	Verified bool
	DealerID string // stock only
}

// Ranked is a candidate with its score (0 to 100) and the plain reasons behind it.
type Ranked struct {
	Candidate
	Score   int
	Reasons []string
}

// The weights of the ranking (they add up to MaxScore).
const (
	pointsSameModel = 40 // same make and model
	pointsSameMake  = 15 // same make, another model
	pointsYear      = 20 // minus 5 per model year apart
	pointsMileage   = 20 // minus 1 per 5,000 km apart
	pointsPrice     = 15 // minus 1 per 2 % of the car's price apart
	pointsVerified  = 5  // verified history
	MaxScore        = pointsSameModel + pointsYear + pointsMileage + pointsPrice + pointsVerified
)

// Rank orders the candidates by similarity to car, best first:
//
//	score = model (40 same model, 15 same make, another make is left out)
//	      + year (20 − 5 × |Δ model year|, at least 0)
//	      + mileage (20 − |Δ km| / 5,000, at least 0; 0 when the car's mileage is unknown)
//	      + price (15 − |Δ price| / 2 % of the car's price, at least 0; 0 when unknown)
//	      + verified history (5)
//
// Ties go to the smaller model-year distance, then the smaller price distance, then kind
// (listings before stock), then the id, so the order is total and the same on every call.
// Candidates of another make and the excluded id (the car itself) are left out.
func Rank(car Car, cands []Candidate, excludeID string) []Ranked {
	out := make([]Ranked, 0, len(cands))
	for _, c := range cands {
		if c.ID == excludeID || !strings.EqualFold(c.Make, car.Make) {
			continue
		}
		out = append(out, score(car, c))
	}
	slices.SortFunc(out, func(a, b Ranked) int {
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(abs(a.ModelYear-car.ModelYear), abs(b.ModelYear-car.ModelYear)),
			cmp.Compare(abs(a.PriceEur-car.PriceEur), abs(b.PriceEur-car.PriceEur)),
			cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.ID, b.ID),
		)
	})
	return out
}

func score(car Car, c Candidate) Ranked {
	r := Ranked{Candidate: c}
	if strings.EqualFold(c.Model, car.Model) {
		r.Score += pointsSameModel
		r.Reasons = append(r.Reasons, "same model")
	} else {
		r.Score += pointsSameMake
		r.Reasons = append(r.Reasons, "same make")
	}
	dy := c.ModelYear - car.ModelYear
	r.Score += max(0, pointsYear-5*abs(dy))
	r.Reasons = append(r.Reasons, compare(dy, "same model year", "year", "newer", "older"))
	if car.OdometerKm > 0 {
		dkm := c.OdometerKm - car.OdometerKm
		r.Score += max(0, pointsMileage-abs(dkm)/5000)
		r.Reasons = append(r.Reasons, amount(-dkm, "km", "same mileage", "less", "more"))
	}
	if car.PriceEur > 0 {
		dp := c.PriceEur - car.PriceEur
		// 1 point per 2 % of the car's price, in integers: |dp| * 50 / price.
		r.Score += max(0, pointsPrice-abs(dp)*50/car.PriceEur)
		r.Reasons = append(r.Reasons, amount(-dp, "EUR", "same price", "cheaper", "dearer"))
	}
	if c.Verified {
		r.Score += pointsVerified
		r.Reasons = append(r.Reasons, "verified history")
	}
	return r
}

// compare words a model-year difference: "1 year newer", "2 years older", "same model year".
func compare(d int, same, unit, more, less string) string {
	switch {
	case d == 0:
		return same
	case d > 0:
		return fmt.Sprintf("%d %s %s", d, plural(d, unit), more)
	default:
		return fmt.Sprintf("%d %s %s", -d, plural(-d, unit), less)
	}
}

// amount words a difference where positive means "less" for the buyer: "8,000 km less",
// "1,200 EUR cheaper".
func amount(d int, unit, same, less, more string) string {
	switch {
	case d == 0:
		return same
	case d > 0:
		return fmt.Sprintf("%s %s %s", thousands(d), unit, less)
	default:
		return fmt.Sprintf("%s %s %s", thousands(-d), unit, more)
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return unit
	}
	return unit + "s"
}

// thousands formats n >= 0 with comma separators, as the reasons are written in English.
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Paging of the ranked list.
const (
	DefaultLimit = 10
	MaxLimit     = 50
)

// Page is one page of a ranked list and the cursor of the next (empty on the last page).
type Page struct {
	Items      []Ranked
	NextCursor string
}

// cursor is what an opaque cursor holds: the offset into the ranked list. The ranking is
// deterministic, so the next page continues where this one ended while the candidates stay the
// same; when they change in between, a buyer may see a car twice or miss one, never an error.
type cursor struct {
	V      int `json:"v"`
	Offset int `json:"o"`
}

// ParseLimit reads the limit query parameter: empty is DefaultLimit.
func ParseLimit(s string) (int, error) {
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, apperr.InvalidField("limit", "range", fmt.Sprintf("limit must be a whole number from 1 to %d", MaxLimit))
	}
	return n, nil
}

// Paginate cuts one page from ranked, starting at the cursor (empty: the first page).
func Paginate(ranked []Ranked, limit int, cur string) (Page, error) {
	offset := 0
	if cur != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cur)
		var c cursor
		if err != nil || len(raw) > 64 || json.Unmarshal(raw, &c) != nil || c.V != 1 || c.Offset < 1 || c.Offset > 1_000_000 {
			return Page{}, apperr.InvalidField("cursor", "format", "cursor must be a nextCursor from a previous page")
		}
		offset = c.Offset
	}
	if offset > len(ranked) {
		offset = len(ranked)
	}
	end := min(offset+limit, len(ranked))
	p := Page{Items: ranked[offset:end]}
	if end < len(ranked) {
		b, _ := json.Marshal(cursor{V: 1, Offset: end}) // two ints always encode
		p.NextCursor = base64.RawURLEncoding.EncodeToString(b)
	}
	return p, nil
}

// PriceStats summarises asking prices for a dealer pricing a trade-in.
type PriceStats struct {
	Count     int `json:"count"`
	MinEur    int `json:"minEur,omitempty"`
	Q1Eur     int `json:"q1Eur,omitempty"`
	MedianEur int `json:"medianEur,omitempty"`
	Q3Eur     int `json:"q3Eur,omitempty"`
	MaxEur    int `json:"maxEur,omitempty"`
}

// Stats computes count, quartiles and median of prices (whole euros) by linear interpolation
// between the closest ranks (the method of most spreadsheets), rounded to whole euros. No prices:
// count 0 and nothing else.
func Stats(prices []int) PriceStats {
	if len(prices) == 0 {
		return PriceStats{}
	}
	s := slices.Clone(prices)
	slices.Sort(s)
	q := func(p float64) int {
		pos := p * float64(len(s)-1)
		lo := int(pos)
		if lo+1 >= len(s) {
			return s[lo]
		}
		f := pos - float64(lo)
		return int(float64(s[lo]) + f*float64(s[lo+1]-s[lo]) + 0.5)
	}
	return PriceStats{Count: len(s), MinEur: s[0], Q1Eur: q(0.25), MedianEur: q(0.5), Q3Eur: q(0.75), MaxEur: s[len(s)-1]}
}
