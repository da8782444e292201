package world

import "github.com/acme-oem/vehicle-data/internal/vehicle"

// The curated demo VINs. Each passes vehicle.ParseVIN.
const (
	DemoClean     vehicle.VIN = "WVWZZZCD3MW100001"
	DemoRollback  vehicle.VIN = "WAUZZZFV8GA200002"
	DemoRecall    vehicle.VIN = "TMBJJ7NE1K0300003"
	DemoAccident  vehicle.VIN = "VSSZZZKJ8JR400004"
	DemoOwners    vehicle.VIN = "WP0ZZZBR2CS500005"
	DemoDealer    vehicle.VIN = "WVWZZZCD2NW600006"
	DemoUnknown   vehicle.VIN = "WVWZZZCD0PW999999"
	demoRollbackK             = 60000
)

// Demo is a curated VIN with a story, for the README, acceptance tests and `make run`.
type Demo struct {
	VIN    vehicle.VIN
	Name   string // short label, e.g. "odometer-rollback"
	Story  string // one line: what the car is
	Expect string // what a report or listing for it should show
}

var demos = []Demo{
	{DemoClean, "clean-history", "Volkswagen Golf, model year 2021, one private owner, serviced every year at the same workshop",
		"every source answers; 1 owner; service visits about yearly with rising mileage; no rollback; no open recall; no accident"},
	{DemoRollback, "odometer-rollback", "Audi A3, model year 2016, sold by a leasing company to a private owner with its odometer turned back",
		"odometer.rollbackDetected = true: the odometer was turned back by 60,000 km when the car changed hands, so later readings are lower than earlier ones"},
	{DemoRecall, "open-recall", "Skoda Octavia, model year 2019, with one open safety recall and one completed quality recall",
		"recalls.openCount = 1 (20K6 airbag control unit, safety, open); 21K8 completed, with a recall-repair visit in the service history"},
	{DemoAccident, "accident-repair", "SEAT Ibiza, model year 2018, repaired after an accident",
		"the service history holds one accident-repair visit with body-work items (bumper, bonnet, headlight) and a wheel alignment"},
	{DemoOwners, "three-owners", "Porsche 911, model year 2012, with three private owners over its life",
		"registration.ownerCount = 3 with three consecutive registrations; the owner section shows the third keeper"},
	{DemoDealer, "dealer-stock", "Volkswagen Golf, model year 2022, a dealer's demonstrator now for sale",
		"one registration, keeper kind dealer (no private owner); dealer stock lists it and several similar Golfs of 2020-2024"},
	{DemoUnknown, "unknown", "a valid Volkswagen VIN that no system knows (serial never assigned)",
		"every system answers not found: 404, a VIN_UNKNOWN SOAP fault, a not-found registry record"},
}

// Demos returns the curated demo VINs and their stories.
func Demos() []Demo { return append([]Demo(nil), demos...) }

// planFor returns the demo's forced plan, or the random plan of any other VIN.
func (w *World) planFor(vin vehicle.VIN) plan {
	switch vin {
	case DemoClean:
		return plan{keepers: []string{KeeperPrivate}, accident: -1, regular: true}
	case DemoRollback:
		return plan{keepers: []string{KeeperCompany, KeeperPrivate}, accident: -1, rollbackKm: demoRollbackK,
			recallStatus: map[string]string{"19A3": RecallCompleted, "20D4": RecallCompleted}}
	case DemoRecall:
		return plan{keepers: []string{KeeperPrivate}, accident: -1,
			recallStatus: map[string]string{"20K6": RecallOpen, "21K8": RecallCompleted}}
	case DemoAccident:
		return plan{keepers: []string{KeeperPrivate}, accident: 1,
			recallStatus: map[string]string{"22S4": RecallCompleted}}
	case DemoOwners:
		return plan{keepers: []string{KeeperPrivate, KeeperPrivate, KeeperPrivate}, accident: -1,
			recallStatus: map[string]string{"18P9": RecallCompleted}}
	case DemoDealer:
		return plan{keepers: []string{KeeperDealer}, accident: -1, stock: true, demonstrator: true,
			recallStatus: map[string]string{"23R7": RecallCompleted}}
	}
	return plan{stock: inPool(vin)}
}
