package vehiclemaster

import "net/url"

// Wire format of the vehicle master (build data), REST + JSON, UTF-8.
//
//	GET {base}/api/v1/vehicles/{vin}/build
//	Accept: application/json
//
// Answers:
//
//	200 application/json   BuildResponse, for a VIN the system knows.
//	404 application/json   ErrorResponse{Error: {Code: ErrCodeNotFound}}: the VIN is unknown.
//	400 application/json   ErrorResponse{Error: {Code: ErrCodeBadRequest}}: malformed VIN in the path.
//	5xx                    the system failed; the body, if any, is ignored.
//
// Every field of BuildResponse is required unless its comment says otherwise; the client rejects a
// 200 whose VIN differs from the requested one, whose dates or numbers are impossible, or which
// has unknown fields (the master's schema is frozen, so an unknown field means a different
// version answered).

// OperationGetBuild names the call in traces, metrics and errors.
const OperationGetBuild = "GetBuild"

// PathPrefix and PathSuffix frame the VIN in the build path; BuildPath assembles it.
const (
	PathPrefix = "/api/v1/vehicles/"
	PathSuffix = "/build"
)

// BuildPath is the request path for one VIN. The VIN is path-escaped even though callers only
// hold validated VINs: defence in depth against a VIN type built by conversion.
func BuildPath(vin string) string { return PathPrefix + url.PathEscape(vin) + PathSuffix }

// Error codes in ErrorResponse.
const (
	ErrCodeNotFound   = "VEHICLE_NOT_FOUND"
	ErrCodeBadRequest = "BAD_REQUEST"
)

// BuildResponse is the master's build record.
type BuildResponse struct {
	VIN       string `json:"vin"`       // must equal the requested VIN
	Make      string `json:"make"`      // e.g. "Volkswagen"
	Model     string `json:"model"`     // e.g. "Golf"
	ModelYear int    `json:"modelYear"` // 1980..production year+1
	BodyType  string `json:"bodyType"`  // e.g. "hatchback", "estate", "suv"
	Engine    Engine `json:"engine"`
	// Transmission is "manual", "automatic" or "dsg".
	Transmission string `json:"transmission"`
	// Drive is "fwd", "rwd" or "awd".
	Drive         string `json:"drive"`
	ExteriorColor Color  `json:"exteriorColor"`
	Plant         Plant  `json:"plant"`
	// ProductionDate is YYYY-MM-DD, not in the future, not before ModelYear-2.
	ProductionDate string          `json:"productionDate"`
	Equipment      []EquipmentItem `json:"equipment"` // may be empty, never null
}

// Engine describes the power unit.
type Engine struct {
	Code    string `json:"code"`    // e.g. "DFGA"
	Fuel    string `json:"fuel"`    // "petrol", "diesel", "electric", "hybrid", "cng"
	PowerKW int    `json:"powerKw"` // 1..2000
}

// Color is the paint code and its marketing name.
type Color struct {
	Code string `json:"code"` // e.g. "LC9X"
	Name string `json:"name"` // e.g. "Deep Black Pearl"
}

// Plant is the assembly plant.
type Plant struct {
	Code string `json:"code"` // e.g. "WOB"
	Name string `json:"name"` // e.g. "Wolfsburg"
}

// EquipmentItem is one factory option (PR code).
type EquipmentItem struct {
	Code        string `json:"code"`        // PR code, unique within the record
	Description string `json:"description"` // e.g. "Adaptive cruise control"
	Category    string `json:"category"`    // e.g. "assistance", "comfort", "infotainment"
}

// ErrorResponse is the body of a 4xx.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody carries a machine code and a human message (never parsed by the client).
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
