package report

import (
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Sources are the sources of the vehicle report, in a stable order.
func Sources() []vehicle.Source {
	return []vehicle.Source{vehicle.SourceVehicleMaster, vehicle.SourceWorkshop, vehicle.SourceRegistry, vehicle.SourceRecalls}
}

// Freshness says how far a section can be trusted to be current.
type Freshness string

const (
	Fresh       Freshness = "fresh"       // fetched within its source's soft expiry
	Stale       Freshness = "stale"       // past soft expiry, served because the source failed
	Unavailable Freshness = "unavailable" // the source failed and nothing usable was cached
)

// Section wraps one source's data with where and when it came from.
type Section[T any] struct {
	Source    vehicle.Source `json:"source"`
	FetchedAt *time.Time     `json:"fetchedAt,omitempty"`
	Freshness Freshness      `json:"freshness"`
	Data      *T             `json:"data,omitempty"`
}

// Report is the verified vehicle report.
//
// Personal data is declared here and only here, with the struct tag `personal:"true"`: Redact
// clears every such field for callers without owner access; TestRedactPublicDropsEveryPersonalField
// fills every field of the model (new ones included) with canaries and checks the public view.
// Personal fields must be omitempty so that a redacted response does not even carry the key.
type Report struct {
	VIN          vehicle.VIN                `json:"vin"`
	Make         string                     `json:"make,omitempty"`
	ModelYear    int                        `json:"modelYear,omitempty"`
	Access       vehicle.Access             `json:"access"`
	Build        *Section[BuildData]        `json:"build,omitempty"`
	Service      *Section[ServiceData]      `json:"serviceHistory,omitempty"`
	Odometer     *Section[OdometerData]     `json:"odometer,omitempty"`
	Recalls      *Section[RecallData]       `json:"recalls,omitempty"`
	Registration *Section[RegistrationData] `json:"registration,omitempty"`
	Owner        *Section[OwnerData]        `json:"owner,omitempty" personal:"true"`
}

// BuildData is the vehicle master's build record.
type BuildData struct {
	Make           string      `json:"make"`
	Model          string      `json:"model"`
	ModelYear      int         `json:"modelYear"`
	BodyType       string      `json:"bodyType"`
	EngineCode     string      `json:"engineCode"`
	Fuel           string      `json:"fuel"`
	PowerKW        int         `json:"powerKw"`
	Transmission   string      `json:"transmission"`
	Drive          string      `json:"drive"`
	ExteriorColor  string      `json:"exteriorColor"`
	Plant          string      `json:"plant"`
	ProductionDate string      `json:"productionDate"` // YYYY-MM-DD
	Equipment      []Equipment `json:"equipment"`
}

// Equipment is one factory option.
type Equipment struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Category    string `json:"category"`
}

// ServiceData is the workshop service history.
type ServiceData struct {
	Visits []ServiceVisit `json:"visits"`
}

// ServiceVisit is one workshop visit. The month and mileage are public (they prove the history);
// the exact day and the workshop locate the owner, so they are personal.
type ServiceVisit struct {
	Month      string    `json:"month"` // YYYY-MM
	Date       string    `json:"date,omitempty" personal:"true"`
	OdometerKm int       `json:"odometerKm"`
	Kind       string    `json:"kind"` // inspection, oil-service, repair, accident-repair, recall-repair, tyres
	Items      []string  `json:"items"`
	Workshop   *Workshop `json:"workshop,omitempty" personal:"true"`
}

// Workshop is where a visit took place.
type Workshop struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	City string `json:"city"`
}

// OdometerData are the odometer readings from every source, oldest first, with rollback detection.
// Each reading names its source; Inputs says which sources were asked and how current each one's
// readings are, so a missing source is visible rather than implied.
type OdometerData struct {
	Readings         []OdometerReading `json:"readings"`
	RollbackDetected bool              `json:"rollbackDetected"`
	Rollbacks        []Rollback        `json:"rollbacks,omitempty"`
	Inputs           []OdometerInput   `json:"inputs,omitempty"`
}

// OdometerInput is one source of odometer readings and how current its readings are.
type OdometerInput struct {
	Source    vehicle.Source `json:"source"`
	Freshness Freshness      `json:"freshness"`
	FetchedAt *time.Time     `json:"fetchedAt,omitempty"`
}

// OdometerReading is one recorded mileage.
type OdometerReading struct {
	Month  string         `json:"month"` // YYYY-MM
	Date   string         `json:"date,omitempty" personal:"true"`
	Km     int            `json:"km"`
	Source vehicle.Source `json:"source"`
}

// Rollback is one turn-back of the odometer: the first reading lower than the highest one recorded
// before it. Month, FromKm and ToKm summarise it (the month of the lower reading, both mileages);
// Before and After are the two readings themselves, with their sources and (personal) dates.
type Rollback struct {
	Month  string          `json:"month"`
	FromKm int             `json:"fromKm"`
	ToKm   int             `json:"toKm"`
	Before OdometerReading `json:"before"`
	After  OdometerReading `json:"after"`
}

// RecallData are the recall campaigns that concern this vehicle.
type RecallData struct {
	OpenCount int      `json:"openCount"`
	Campaigns []Recall `json:"campaigns"`
}

// Recall is one campaign and its state for this vehicle.
type Recall struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Severity    string `json:"severity"` // safety, emissions, quality
	Status      string `json:"status"`   // open, completed
	IssuedOn    string `json:"issuedOn"`
	CompletedOn string `json:"completedOn,omitempty"`
}

// RegistrationData is the registry's view. The number of owners and the registration months are
// public (they are what a buyer checks); plates and exact dates are personal.
type RegistrationData struct {
	OwnerCount    int            `json:"ownerCount"`
	Registrations []Registration `json:"registrations"`
}

// Registration is one period of registration to one keeper.
type Registration struct {
	Country    string `json:"country"`
	FromMonth  string `json:"fromMonth"`
	ToMonth    string `json:"toMonth,omitempty"`
	KeeperKind string `json:"keeperKind"` // private, company, dealer
	Plate      string `json:"plate,omitempty" personal:"true"`
	From       string `json:"from,omitempty" personal:"true"`
	To         string `json:"to,omitempty" personal:"true"`
}

// OwnerData identifies the current keeper; the whole section is personal.
type OwnerData struct {
	Name       string `json:"name"`
	PostalCode string `json:"postalCode"`
	City       string `json:"city"`
	Since      string `json:"since"`
}
