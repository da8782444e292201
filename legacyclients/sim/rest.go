package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/dealerstock"
	"github.com/acme-oem/vehicle-data/legacyclients/offers"
	"github.com/acme-oem/vehicle-data/legacyclients/recalls"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/vehiclemaster"
)

const (
	opUnknown = "unknown"
	isoDate   = "2006-01-02"
)

// jsonResponse marshals v as the body of a JSON answer in charset.
func jsonResponse(status int, v any, charset string) fault.Response {
	b, err := json.Marshal(v)
	if err == nil {
		b, err = fault.Encode(b, charset)
	}
	if err != nil {
		return fault.Response{Status: http.StatusInternalServerError, ContentType: "text/plain", Charset: "utf-8", Body: []byte("internal error\n")}
	}
	return fault.Response{Status: status, ContentType: "application/json", Charset: charset, Body: b}
}

// vinBetween extracts the path segment between prefix and suffix, or false when the path does
// not have that shape.
func vinBetween(path, prefix, suffix string) (string, bool) {
	if !strings.HasPrefix(path, prefix) || !strings.HasSuffix(path, suffix) || len(path) < len(prefix)+len(suffix) {
		return "", false
	}
	seg := path[len(prefix) : len(path)-len(suffix)]
	if seg == "" || strings.Contains(seg, "/") {
		return "", false
	}
	return seg, true
}

// ruleOf names the broken VIN rule without echoing the input.
func ruleOf(err error) string {
	if e := apperr.As(err); e != nil && e.Rule != "" {
		return "invalid VIN (" + e.Rule + ")"
	}
	return "invalid VIN"
}

// ---- vehicle master -------------------------------------------------------------------------

type vehicleMaster struct{ w *world.World }

func (s vehicleMaster) Operation(r *http.Request) string {
	if _, ok := vinBetween(r.URL.Path, vehiclemaster.PathPrefix, vehiclemaster.PathSuffix); ok {
		return vehiclemaster.OperationGetBuild
	}
	return opUnknown
}

func (s vehicleMaster) fail(status int, code, msg, charset string) fault.Response {
	return jsonResponse(status, vehiclemaster.ErrorResponse{Error: vehiclemaster.ErrorBody{Code: code, Message: msg}}, charset)
}

func (s vehicleMaster) Failure(status int, charset string) fault.Response {
	return s.fail(status, "SYSTEM_ERROR", "the vehicle master is temporarily unavailable", charset)
}

func (s vehicleMaster) Serve(r *http.Request, charset string) fault.Response {
	raw, ok := vinBetween(r.URL.Path, vehiclemaster.PathPrefix, vehiclemaster.PathSuffix)
	if !ok {
		return s.fail(http.StatusNotFound, "NO_SUCH_RESOURCE", "no such resource", charset)
	}
	if r.Method != http.MethodGet {
		return s.fail(http.StatusMethodNotAllowed, vehiclemaster.ErrCodeBadRequest, "method not allowed", charset)
	}
	vin, err := vehicle.ParseVIN(raw)
	if err != nil {
		return s.fail(http.StatusBadRequest, vehiclemaster.ErrCodeBadRequest, ruleOf(err), charset)
	}
	v, ok := s.w.Vehicle(vin)
	if !ok {
		return s.fail(http.StatusNotFound, vehiclemaster.ErrCodeNotFound, "vehicle not found", charset)
	}
	eq := make([]vehiclemaster.EquipmentItem, 0, len(v.Equipment))
	for _, e := range v.Equipment {
		eq = append(eq, vehiclemaster.EquipmentItem{Code: e.Code, Description: e.Description, Category: e.Category})
	}
	return jsonResponse(http.StatusOK, vehiclemaster.BuildResponse{
		VIN: string(v.VIN), Make: v.Make(), Model: v.Model.Name, ModelYear: v.ModelYear, BodyType: v.Model.Body,
		Engine:         vehiclemaster.Engine{Code: v.Engine.Code, Fuel: v.Engine.Fuel, PowerKW: v.Engine.PowerKW},
		Transmission:   v.Engine.Transmission,
		Drive:          v.Engine.Drive,
		ExteriorColor:  vehiclemaster.Color{Code: v.Color.Code, Name: v.Color.Name},
		Plant:          vehiclemaster.Plant{Code: v.Plant.Code, Name: v.Plant.Name},
		ProductionDate: v.Produced.Format(isoDate),
		Equipment:      eq,
	}, charset)
}

// ---- recalls --------------------------------------------------------------------------------

type recallSystem struct{ w *world.World }

func (s recallSystem) Operation(r *http.Request) string {
	if _, ok := vinBetween(r.URL.Path, recalls.PathPrefix, recalls.PathSuffix); ok {
		return recalls.OperationList
	}
	return opUnknown
}

func (s recallSystem) fail(status int, code, msg, charset string) fault.Response {
	return jsonResponse(status, recalls.ErrorResponse{Error: recalls.ErrorBody{Code: code, Message: msg}}, charset)
}

func (s recallSystem) Failure(status int, charset string) fault.Response {
	return s.fail(status, "SYSTEM_ERROR", "recall database unavailable", charset)
}

func (s recallSystem) Serve(r *http.Request, charset string) fault.Response {
	raw, ok := vinBetween(r.URL.Path, recalls.PathPrefix, recalls.PathSuffix)
	if !ok {
		return s.fail(http.StatusNotFound, "NO_SUCH_RESOURCE", "no such resource", charset)
	}
	if r.Method != http.MethodGet {
		return s.fail(http.StatusMethodNotAllowed, recalls.ErrCodeBadParams, "method not allowed", charset)
	}
	vin, err := vehicle.ParseVIN(raw)
	if err != nil {
		return s.fail(http.StatusBadRequest, recalls.ErrCodeBadParams, ruleOf(err), charset)
	}
	q := r.URL.Query()
	pageSize := recalls.DefaultPageSize
	if ps := q.Get(recalls.ParamPageSize); ps != "" {
		n, err := atoiStrict(ps)
		if err != nil || n < 1 || n > recalls.MaxPageSize {
			return s.fail(http.StatusBadRequest, recalls.ErrCodeBadParams, "pageSize must be an integer between 1 and 100", charset)
		}
		pageSize = n
	}
	v, ok := s.w.Vehicle(vin)
	if !ok {
		return s.fail(http.StatusNotFound, recalls.ErrCodeNotFound, "VIN not found", charset)
	}
	offset := 0
	if c := q.Get(recalls.ParamCursor); c != "" {
		offset, ok = decodeCursor(c, vin)
		if !ok || offset >= len(v.Recalls) {
			return s.fail(http.StatusBadRequest, recalls.ErrCodeBadParams, "cursor is invalid or expired", charset)
		}
	}
	page := recalls.Page{VIN: string(vin), Items: []recalls.Campaign{}}
	end := min(offset+pageSize, len(v.Recalls))
	for _, vr := range v.Recalls[offset:end] {
		c := recalls.Campaign{
			CampaignID: vr.Campaign.ID, Title: vr.Campaign.Title, Description: vr.Campaign.Description,
			Severity: strings.ToUpper(vr.Campaign.Severity), Status: recalls.StatusOpen, IssuedOn: vr.Campaign.Issued.Format(isoDate),
		}
		if vr.Status == world.RecallCompleted {
			c.Status, c.CompletedOn = recalls.StatusCompleted, vr.CompletedOn.Format(isoDate)
		}
		page.Items = append(page.Items, c)
	}
	if end < len(v.Recalls) {
		page.NextCursor = encodeCursor(end, vin)
	}
	return jsonResponse(http.StatusOK, page, charset)
}

// ---- dealer stock ---------------------------------------------------------------------------

type dealerStock struct{ w *world.World }

func (s dealerStock) Operation(r *http.Request) string {
	if r.URL.Path == dealerstock.Path {
		return dealerstock.OperationSearch
	}
	return opUnknown
}

func (s dealerStock) fail(status int, code, msg, param, charset string) fault.Response {
	return jsonResponse(status, dealerstock.ErrorResponse{Error: dealerstock.ErrorBody{Code: code, Message: msg, Parameter: param}}, charset)
}

func (s dealerStock) Failure(status int, charset string) fault.Response {
	return s.fail(status, "SYSTEM_ERROR", "stock search unavailable", "", charset)
}

func (s dealerStock) Serve(r *http.Request, charset string) fault.Response {
	if r.URL.Path != dealerstock.Path {
		return s.fail(http.StatusNotFound, "NO_SUCH_RESOURCE", "no such resource", "", charset)
	}
	if r.Method != http.MethodGet {
		return s.fail(http.StatusMethodNotAllowed, "BAD_REQUEST", "method not allowed", "", charset)
	}
	p, err := dealerstock.ParseSearchParams(r.URL.Query())
	if err != nil {
		return s.fail(http.StatusBadRequest, "BAD_REQUEST", err.Error(), paramOf(err.Error()), charset)
	}
	switch {
	case p.YearTo > 0 && p.YearFrom > p.YearTo:
		return s.fail(http.StatusBadRequest, "BAD_REQUEST", "yearFrom must not be after yearTo", dealerstock.ParamYearFrom, charset)
	case p.PriceMaxEur > 0 && p.PriceMinEur > p.PriceMaxEur:
		return s.fail(http.StatusBadRequest, "BAD_REQUEST", "priceMinEur must not exceed priceMaxEur", dealerstock.ParamPriceMin, charset)
	}
	limit := p.Limit
	if limit == 0 {
		limit = dealerstock.DefaultLimit
	}
	found := s.w.SearchStock(world.StockQuery{
		Make: p.Make, Model: p.Model, YearFrom: p.YearFrom, YearTo: p.YearTo,
		MinPrice: p.PriceMinEur, MaxPrice: p.PriceMaxEur, MaxKm: p.MileageMaxKm,
	})
	resp := dealerstock.SearchResponse{Total: len(found), Results: []dealerstock.Listing{}}
	for _, v := range found[:min(limit, len(found))] {
		resp.Results = append(resp.Results, dealerstock.Listing{
			ListingID: listingID(v), VIN: string(v.VIN), Make: v.Make(), Model: v.Model.Name, Variant: v.Engine.Name,
			ModelYear: v.ModelYear, FirstRegistration: v.Registrations[0].From.Format("2006-01"),
			MileageKm: v.Listing.Km, PriceEur: v.Listing.PriceEUR, Fuel: v.Engine.Fuel, Transmission: v.Engine.Transmission,
			Dealer: dealerstock.Dealer{ID: v.Listing.Dealer.ID, Name: v.Listing.Dealer.Name, City: v.Listing.Dealer.City},
		})
	}
	return jsonResponse(http.StatusOK, resp, charset)
}

// paramOf extracts the parameter name from the wire's "parameter X ..." messages.
func paramOf(msg string) string {
	f := strings.Fields(msg)
	if len(f) >= 2 && f[0] == "parameter" {
		return f[1]
	}
	return ""
}

// ---- offers ---------------------------------------------------------------------------------

type offerSystem struct {
	w   *world.World
	now func() time.Time
}

func (s offerSystem) Operation(r *http.Request) string {
	if _, ok := vinBetween(r.URL.Path, offers.PathPrefix, offers.PathSuffix); ok {
		return offers.OperationList
	}
	return opUnknown
}

func (s offerSystem) fail(status int, code, msg, charset string) fault.Response {
	return jsonResponse(status, offers.ErrorResponse{Error: offers.ErrorBody{Code: code, Message: msg}}, charset)
}

func (s offerSystem) Failure(status int, charset string) fault.Response {
	return s.fail(status, "SYSTEM_ERROR", "offer engine unavailable", charset)
}

var offerTypes = map[string]string{
	world.OfferServicePlan: offers.TypeServicePlan,
	world.OfferAccessory:   offers.TypeAccessory,
	world.OfferFinancing:   offers.TypeFinancing,
}

func (s offerSystem) Serve(r *http.Request, charset string) fault.Response {
	raw, ok := vinBetween(r.URL.Path, offers.PathPrefix, offers.PathSuffix)
	if !ok {
		return s.fail(http.StatusNotFound, "NO_SUCH_RESOURCE", "no such resource", charset)
	}
	if r.Method != http.MethodGet {
		return s.fail(http.StatusMethodNotAllowed, "BAD_REQUEST", "method not allowed", charset)
	}
	vin, err := vehicle.ParseVIN(raw)
	if err != nil {
		return s.fail(http.StatusBadRequest, "BAD_REQUEST", ruleOf(err), charset)
	}
	v, ok := s.w.Vehicle(vin)
	if !ok {
		return s.fail(http.StatusNotFound, offers.ErrCodeNotFound, "VIN not found", charset)
	}
	resp := offers.OffersResponse{VIN: string(vin), Offers: []offers.OfferRecord{}}
	for _, o := range s.w.Offers(v) {
		rec := offers.OfferRecord{
			OfferID: o.ID, Type: offerTypes[o.Kind], Title: o.Title, Description: o.Description,
			PriceCents: o.PriceCents, Currency: offers.CurrencyEUR, ValidUntil: s.validUntil(o.ValidUntil),
			DurationMonths: o.DurationMonths,
		}
		if f := o.Financing; f != nil {
			rec.Financing = &offers.FinancingTerms{TermMonths: f.TermMonths, APRBasisPoints: f.APRBasisPoints,
				MonthlyRateCents: f.MonthlyRateCents, DownPaymentCents: f.DownPaymentCents}
		}
		resp.Offers = append(resp.Offers, rec)
	}
	return jsonResponse(http.StatusOK, resp, charset)
}

// validUntil moves an offer's end from the world's "today" to the wall clock's: offers are the
// one thing the client checks against the present (a past validity is rejected).
func (s offerSystem) validUntil(t time.Time) string {
	days := int(t.Sub(s.w.AsOf()).Hours() / 24)
	return s.now().UTC().AddDate(0, 0, days).Format(isoDate)
}
