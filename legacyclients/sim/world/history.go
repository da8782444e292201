package world

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// plan is what a curated demo forces on the generator; the zero plan leaves everything to chance.
// Forcing inputs rather than editing outputs keeps a demo as consistent as any other vehicle.
type plan struct {
	keepers      []string          // keeper kinds, oldest first; nil = random
	accident     int               // -1 never, 1 always, 0 by chance
	rollbackKm   int               // > 0: the odometer is turned back by this much when the 2nd keeper takes over
	recallStatus map[string]string // campaign ID -> forced status
	regular      bool              // yearly services at the same workshop, no gaps, no repairs
	stock        bool              // currently in dealer stock
	demonstrator bool              // the dealer has used the car since new
}

// keeperPeriod is one keeper's time with the car and how much they drive.
type keeperPeriod struct {
	kind     string
	from, to time.Time // to is the next keeper's from, or asOf for the current keeper
	town     int
	kmPerDay float64
}

// mileage is a vehicle's odometer as a function of time: piecewise linear and non-decreasing,
// except for a deliberate rollback.
type mileage struct {
	start      time.Time
	km0        float64
	periods    []keeperPeriod
	rollbackAt time.Time
	rollbackKm int
}

func (m mileage) at(t time.Time) int {
	km := m.km0
	for _, p := range m.periods {
		if !t.After(p.from) {
			break
		}
		end := p.to
		if t.Before(end) {
			end = t
		}
		km += p.kmPerDay * end.Sub(p.from).Hours() / 24
	}
	out := int(km)
	if m.rollbackKm > 0 && !t.Before(m.rollbackAt) {
		out -= m.rollbackKm
	}
	return out
}

// dayWhenKm is the first day in [from, until] at which the odometer shows km, or the zero time
// when it does not get there. A binary search: the curve is non-decreasing except at the rollback
// demo's single drop, and even there the search returns a day on which the odometer shows km,
// which is all a service date needs.
func (m mileage) dayWhenKm(from, until time.Time, km int) time.Time {
	if m.at(until) < km {
		return time.Time{}
	}
	lo, hi := 0, days(from, until) // at(from+hi) >= km
	for lo < hi {
		mid := (lo + hi) / 2
		if m.at(from.AddDate(0, 0, mid)) >= km {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return from.AddDate(0, 0, lo)
}

func (w *World) history(v *Vehicle, p plan) {
	c := countryOf(v.Manufacturer.Country)
	r := rng(v.VIN, "history")
	firstReg := v.Produced.AddDate(0, 0, 7+r.IntN(60))
	if firstReg.After(w.asOf) {
		firstReg = w.asOf
	}
	periods := w.keeperPeriods(v, p, c, r, firstReg)

	m := mileage{start: firstReg, km0: float64(5 + r.IntN(30)), periods: periods}
	if p.rollbackKm > 0 && len(periods) > 1 {
		m.rollbackAt, m.rollbackKm = periods[1].from, p.rollbackKm
	}

	for i, kp := range periods {
		reg := Registration{Country: c.Code, From: kp.from, KeeperKind: kp.kind, DocumentCode: randString(r, docCodeChars, 8)}
		if i+1 < len(periods) {
			reg.To = kp.to
		}
		t := c.Towns[kp.town]
		switch kp.kind {
		case KeeperDealer:
			d := dealerIn(c, kp.town)
			reg.Keeper = Person{Name: d.Name, Street: d.Street, PostalCode: d.PostalCode, City: d.City}
		case KeeperCompany:
			reg.Keeper = companyPerson(r, c, t)
		default:
			reg.Keeper = privatePerson(r, c, t)
		}
		reg.Plate = plate(r, c, t)
		v.Registrations = append(v.Registrations, reg)
	}

	// A stream of its own, so the rest of the world stays as it was before contacts existed.
	cur := &v.Registrations[len(v.Registrations)-1]
	cur.Contact = contactOf(rng(v.VIN, "contact"), c, cur.Keeper)

	w.services(v, p, c, m, periods)
	w.inspections(v, c, m, firstReg)

	if p.stock {
		last := periods[len(periods)-1]
		lr := rng(v.VIN, "listing")
		listed := last.from.AddDate(0, 0, 3+lr.IntN(18))
		if p.demonstrator { // listed when the dealer retired it from demonstration duty
			listed = w.asOf.AddDate(0, 0, -(10 + lr.IntN(50)))
		}
		if listed.After(w.asOf) {
			listed = w.asOf
		}
		km := m.at(w.asOf)
		v.Listing = &Listing{
			Dealer:   dealerIn(c, last.town),
			Km:       km,
			PriceEUR: usedPrice(v, km, w.asOf),
			ListedOn: listed,
		}
	}
}

// keeperPeriods draws the keepers and when the car changed hands.
func (w *World) keeperPeriods(v *Vehicle, p plan, c country, r *rand.Rand, firstReg time.Time) []keeperPeriod {
	age := w.asOf.Sub(firstReg).Hours() / 24 / 365.25
	kinds := p.keepers
	if kinds == nil {
		n := 1
		if age >= 2 {
			switch x := r.Float64(); {
			case x < 0.5:
				n = 1
			case x < 0.85:
				n = 2
			default:
				n = 3
			}
		}
		if p.stock {
			// The dealer is the last keeper; a young car comes straight from the dealer's
			// pre-registration, an older one from one or two keepers before.
			n = max(1, n-1)
			if age < 1.5 {
				n = 0
			}
		}
		for i := range n {
			kind := KeeperPrivate
			if (i == 0 && r.Float64() < 0.25) || r.Float64() < 0.08 {
				kind = KeeperCompany // first keepers are often leasing or fleet companies
			}
			kinds = append(kinds, kind)
		}
		if p.stock {
			kinds = append(kinds, KeeperDealer)
		}
	}

	// Change dates: the dealer of a stock car took it in recently (unless it has been the
	// dealer's since new); the other keepers share the remaining time by random weights.
	privateEnd := w.asOf
	last := len(kinds) - 1
	if kinds[last] == KeeperDealer && last > 0 {
		privateEnd = w.asOf.AddDate(0, 0, -(20 + r.IntN(130)))
		if !privateEnd.After(firstReg.AddDate(0, 0, 90)) {
			privateEnd = firstReg.AddDate(0, 0, days(firstReg, w.asOf)/2)
		}
	}
	nShare := len(kinds)
	if privateEnd != w.asOf {
		nShare--
	}
	weights := make([]float64, nShare)
	total := 0.0
	for i := range weights {
		weights[i] = 0.5 + r.Float64()
		total += weights[i]
	}
	span := float64(days(firstReg, privateEnd))
	out := make([]keeperPeriod, len(kinds))
	from := firstReg
	for i, kind := range kinds {
		var to time.Time
		switch {
		case i == last:
			to = w.asOf
		case i < nShare:
			to = from.AddDate(0, 0, int(span*weights[i]/total))
			if i == nShare-1 {
				to = privateEnd
			}
		}
		out[i] = keeperPeriod{kind: kind, from: from, to: to, town: r.IntN(len(c.Towns)), kmPerDay: annualKm(v, kind, p, r) / 365.25}
		from = to
	}
	return out
}

func annualKm(v *Vehicle, kind string, p plan, r *rand.Rand) float64 {
	var km float64
	switch kind {
	case KeeperCompany:
		km = 20000 + r.Float64()*25000
	case KeeperDealer:
		km = 200 + r.Float64()*1300
		if p.demonstrator {
			km = 5000 + r.Float64()*4000
		}
	default:
		km = 8000 + r.Float64()*17000
	}
	switch {
	case v.Manufacturer.WMI == "WP0":
		km *= 0.45 // sports cars are weekend cars
	case v.Model.Body == "van":
		km *= 1.3
	}
	return km
}

// services draws the workshop visits: scheduled services by time or distance, whichever comes
// first, plus repairs, tyre changes, an accident and recall work, all at the keeper's local
// workshop.
func (w *World) services(v *Vehicle, p plan, c country, m mileage, periods []keeperPeriod) {
	r := rng(v.VIN, "service")
	electric := v.Engine.Fuel == "electric"
	interval := v.Model.ServiceKm
	if interval == 0 {
		interval = 15000
	}
	keeperAt := func(t time.Time) keeperPeriod {
		for i := len(periods) - 1; i > 0; i-- {
			if !t.Before(periods[i].from) {
				return periods[i]
			}
		}
		return periods[0]
	}
	workshopAt := func(t time.Time) Workshop {
		town := keeperAt(t).town
		if !p.regular && r.Float64() < 0.1 {
			town = r.IntN(len(c.Towns)) // on holiday, or a second home
		}
		return workshopIn(c, town)
	}
	add := func(t time.Time, kind string, items []string) {
		v.Visits = append(v.Visits, Visit{Date: t, Km: m.at(t), Kind: kind, Items: items, Workshop: workshopAt(t)})
	}

	count := 0
	for i, kp := range periods {
		if kp.kind == KeeperDealer && !p.demonstrator {
			if i > 0 { // the used-car check before the dealer lists the car
				t := kp.from.AddDate(0, 0, 2+r.IntN(5))
				if !t.After(w.asOf) {
					add(t, KindInspection, []string{"Used car check", "Brake fluid"})
				}
			}
			continue
		}
		if !p.regular && i > 0 && r.Float64() < 0.15 {
			continue // this keeper had the car serviced outside the dealer network
		}
		last, lastKm := kp.from, m.at(kp.from)
		if i == 0 {
			last, lastKm = kp.from, 0
		}
		for {
			byTime := last.AddDate(0, 0, 330+r.IntN(70))
			if p.regular {
				byTime = last.AddDate(0, 0, 350+r.IntN(30))
			}
			next := byTime
			if t := m.dayWhenKm(last.AddDate(0, 0, 30), byTime, lastKm+interval); !t.IsZero() {
				next = t
			}
			if next.After(kp.to) || next.After(w.asOf) {
				break
			}
			kind, items := KindInspection, inspectionItems(electric, count)
			if !electric && count%2 == 0 {
				kind, items = KindOilService, []string{"Engine oil", "Oil filter"}
			}
			add(next, kind, items)
			count++
			last, lastKm = next, m.at(next)
		}
	}

	firstReg, life := periods[0].from, days(periods[0].from, w.asOf)
	randomDay := func(from int) time.Time { return firstReg.AddDate(0, 0, from+r.IntN(max(1, life-from-30))) }
	if !p.regular {
		for range life / 365 {
			if r.Float64() < 0.12 {
				add(randomDay(60), KindRepair, pickN(r, repairItems, 1+r.IntN(2)))
			}
			if (c.Code == "DE" || c.Code == "CZ") && r.Float64() < 0.2 {
				add(randomDay(60), KindTyres, []string{"Seasonal tyre change", "Wheel balancing"})
			}
			if r.Float64() < 0.08 {
				t := randomDay(30)
				v.WorkshopReadings = append(v.WorkshopReadings, Reading{Date: t, Km: m.at(t), Source: vehicle.SourceWorkshop})
			}
		}
	}
	if life > 150 && (p.accident == 1 || (p.accident == 0 && r.Float64() < 0.07)) {
		add(randomDay(90), KindAccidentRepair, accidentItems(r, p.accident == 1))
	}

	for _, cp := range campaigns {
		if !cp.concerns(v.Manufacturer.WMI, v.Model.TypeCode, v.ModelYear, v.Produced) || cp.Issued.After(w.asOf) {
			continue
		}
		fix := cp.Issued.AddDate(0, 0, 14+r.IntN(220))
		if fix.Before(firstReg) {
			fix = firstReg.AddDate(0, 0, 7)
		}
		status := RecallOpen
		if !fix.After(w.asOf) && r.Float64() < 0.75 {
			status = RecallCompleted
		}
		if forced, ok := p.recallStatus[cp.ID]; ok {
			status = forced
			if status == RecallCompleted && fix.After(w.asOf) {
				fix = w.asOf
			}
		}
		vr := VehicleRecall{Campaign: cp, Status: status}
		if status == RecallCompleted {
			vr.CompletedOn = fix
			add(fix, KindRecallRepair, []string{fmt.Sprintf("Recall %s: %s", cp.ID, cp.Title)})
			v.Visits[len(v.Visits)-1].RecallID = cp.ID
		}
		v.Recalls = append(v.Recalls, vr)
	}

	slices.SortStableFunc(v.Visits, func(a, b Visit) int { return a.Date.Compare(b.Date) })
	slices.SortStableFunc(v.WorkshopReadings, func(a, b Reading) int { return a.Date.Compare(b.Date) })
}

func inspectionItems(electric bool, n int) []string {
	items := []string{"Vehicle inspection", "Brake fluid"}
	switch {
	case electric:
		items = append(items, "Cabin filter", "High-voltage system check")
	case n%4 == 3:
		items = append(items, "Engine oil", "Oil filter", "Air filter", "Spark plugs")
	default:
		items = append(items, "Engine oil", "Oil filter", "Cabin filter")
	}
	return items
}

var repairItems = []string{
	"Brake pads, front", "Brake discs and pads, rear", "12 V battery", "Wiper blades", "Coolant pump",
	"Wheel bearing, front left", "Exhaust flexible pipe", "Air conditioning service", "Headlight bulb",
}

var accidentParts = [][]string{
	{"Front bumper replaced", "Bonnet repaired and painted", "Left headlight replaced", "Radiator support repaired"},
	{"Rear bumper replaced", "Tailgate repaired and painted", "Rear parking sensors replaced"},
	{"Right front door replaced and painted", "Right B-pillar straightened", "Side airbag replaced"},
}

// accidentItems: a forced accident (the demo) is always the front-end collision its story tells.
func accidentItems(r *rand.Rand, forced bool) []string {
	parts := pick(r, accidentParts)
	if forced {
		parts = accidentParts[0]
	}
	return append(append([]string(nil), parts...), "Wheel alignment", "Body measurement")
}

func pickN(r *rand.Rand, xs []string, n int) []string {
	idx := r.Perm(len(xs))[:n]
	out := make([]string, n)
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

var stations = map[string][]string{
	"DE": {"TÜV SÜD", "DEKRA", "GTÜ", "TÜV NORD"},
	"CZ": {"STK Praha-Zbraslav", "STK Brno", "STK Ostrava"},
	"ES": {"ITV Madrid Norte", "ITV Barcelona", "ITV Sevilla"},
	"US": {"State inspection station"},
	"MX": {"Verificentro"},
}

// inspections are the roadworthiness tests the registry records, on the country's schedule.
func (w *World) inspections(v *Vehicle, c country, m mileage, firstReg time.Time) {
	r := rng(v.VIN, "inspection")
	for due := firstReg.AddDate(c.FirstYears, 0, 0); ; due = due.AddDate(c.IntervalYears, 0, 0) {
		t := due.AddDate(0, 0, -r.IntN(45)) // done in the weeks before it is due
		if t.After(w.asOf) {
			return
		}
		result := "passed"
		if r.Float64() < 0.12 {
			result = "minor-defects"
		}
		v.Inspections = append(v.Inspections, Inspection{Date: t, Km: m.at(t), Result: result, Station: pick(r, stations[c.Code])})
	}
}
