package world

import (
	"fmt"
	"math"
	"time"
)

// Offer kinds, matching the after-sales system's three product lines.
const (
	OfferServicePlan = "service-plan"
	OfferAccessory   = "accessory"
	OfferFinancing   = "financing"
)

// Offer is one after-sales offer for a vehicle. The after-sales system prices in euro cents in
// every market.
type Offer struct {
	ID          string
	Kind        string
	Title       string
	Description string
	// PriceCents is the one-off price; for financing the financed amount.
	PriceCents     int64
	DurationMonths int        // service plans only
	Financing      *Financing // financing only
	ValidUntil     time.Time
}

// Financing are the terms of a financing offer.
type Financing struct {
	TermMonths       int
	APRBasisPoints   int
	MonthlyRateCents int64
	DownPaymentCents int64
}

// Offers are the after-sales offers for a vehicle; which ones depends on its age, mileage, service
// history and whether it is for sale. IDs are unique within the list.
func (w *World) Offers(v *Vehicle) []Offer {
	r := rng(v.VIN, "offers")
	age := w.asOf.Sub(v.Registrations[0].From).Hours() / 24 / 365.25
	km := v.LatestKm()
	until := w.asOf.AddDate(0, 0, 30+r.IntN(60))
	var out []Offer
	add := func(o Offer) {
		o.ID = fmt.Sprintf("OF-%s-%02d%03d", v.Manufacturer.WMI, len(out)+1, r.IntN(1000))
		o.ValidUntil = until
		out = append(out, o)
	}
	euros := func(eur float64) int64 { return int64(math.Round(eur))*100 - 1 } // …,99 prices

	if age < 4 && km < 100000 {
		add(Offer{Kind: OfferServicePlan, Title: "Extended warranty, 2 more years", DurationMonths: 24,
			Description: fmt.Sprintf("Extends the manufacturer's warranty of your %s by 2 years or up to 100,000 km.", v.Model.Name),
			PriceCents:  euros(float64(v.Model.PriceEUR) * 0.022)})
	}
	if age <= 8 {
		months := 36
		add(Offer{Kind: OfferServicePlan, Title: "Service plan, 3 years", DurationMonths: months,
			Description: fmt.Sprintf("All scheduled services and wear parts for your %s for a fixed price.", v.Model.Name),
			PriceCents:  euros(float64(months) * (19 + float64(v.Model.PriceEUR)/2500))})
	}
	if last := lastServiceDate(v); last.IsZero() || w.asOf.Sub(last) > 300*24*time.Hour {
		add(Offer{Kind: OfferServicePlan, Title: "Inspection due: fixed-price package", DurationMonths: 1,
			Description: "Scheduled inspection including brake fluid and a free vehicle health check, this month.",
			PriceCents:  euros(249 + float64(r.IntN(5))*50)})
	}
	for _, a := range pickN(r, v.Model.Accessories, 2) {
		add(Offer{Kind: OfferAccessory, Title: a, Description: "Genuine accessory, fitted by your workshop.",
			PriceCents: euros(90 + float64(r.IntN(12))*45)})
	}
	switch {
	case v.Listing != nil:
		add(financing("Financing for this car", "48 months, 20% down payment, fixed interest rate.",
			int64(v.Listing.PriceEUR)*100, 48, 20, 499))
	case age >= 4:
		add(financing(fmt.Sprintf("Trade-in bonus towards a new %s", v.Model.Name),
			"We buy your car and finance your next one: 36 months, no down payment.",
			int64(v.Model.PriceEUR)*100, 36, 0, 299))
	}
	return out
}

// financing computes an annuity: the monthly rate that repays the financed amount after the down
// payment over the term at the given APR.
func financing(title, desc string, amountCents int64, months, downPercent, aprBP int) Offer {
	down := amountCents * int64(downPercent) / 100
	principal := float64(amountCents - down)
	i := float64(aprBP) / 10000 / 12
	rate := principal / float64(months)
	if i > 0 {
		rate = principal * i / (1 - math.Pow(1+i, -float64(months)))
	}
	return Offer{Kind: OfferFinancing, Title: title, Description: desc, PriceCents: amountCents,
		Financing: &Financing{TermMonths: months, APRBasisPoints: aprBP, MonthlyRateCents: int64(math.Ceil(rate)), DownPaymentCents: down}}
}

func lastServiceDate(v *Vehicle) time.Time {
	var last time.Time
	for _, x := range v.Visits {
		if (x.Kind == KindInspection || x.Kind == KindOilService) && x.Date.After(last) {
			last = x.Date
		}
	}
	return last
}
