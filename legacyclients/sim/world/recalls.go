package world

import "time"

// Campaign is a recall campaign of the OEM.
type Campaign struct {
	ID          string
	Title       string
	Description string
	Severity    string // safety, emissions, quality
	Issued      time.Time
	// Scope: the WMI, the VIN type codes and the model years concerned. Cars built after the
	// campaign was issued left the factory with the fix and are not concerned.
	WMIs      []string
	TypeCodes []string
	YearFrom  int
	YearTo    int
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// campaigns is the recall table. TMB/NE model year 2019 is concerned by exactly two campaigns
// (one safety, one quality): the open-recall demo relies on it; VW type CD model year 2021 by
// none, which keeps the clean-history demo clean.
var campaigns = []Campaign{
	{"23R7", "Passenger airbag deactivation sensor", "The seat occupancy sensor may fail to switch the passenger airbag on. The sensor mat is replaced.", "safety", date(2023, time.May, 15), []string{"WVW"}, []string{"CD"}, 2022, 2023},
	{"20D4", "Engine control software update", "Updated engine control software reduces NOx emissions in real driving conditions.", "emissions", date(2020, time.February, 10), []string{"WVW", "TMB", "VSS", "WAU"}, []string{"AU", "NE", "FL", "FV"}, 2015, 2016},
	{"21S2", "Panoramic sunroof seal", "Water may enter the interior through the sunroof seal. The seal and drain hoses are replaced.", "quality", date(2021, time.June, 1), []string{"WVW"}, []string{"AD"}, 2017, 2019},
	{"22E1", "High-voltage battery management software", "The battery management software may limit charging power unnecessarily. The software is updated.", "quality", date(2022, time.March, 14), []string{"WVW", "TMB"}, []string{"E1", "E2", "NY"}, 2020, 2022},
	{"19A3", "Rear seat belt buckle", "The rear centre seat belt buckle may be latched into the wrong receptacle. A modified buckle is fitted.", "safety", date(2019, time.April, 8), []string{"WAU"}, []string{"FV"}, 2015, 2017},
	{"24Q5", "Brake booster vacuum line", "The vacuum line of the brake booster may chafe and leak, increasing pedal effort. The line is replaced.", "safety", date(2024, time.January, 22), []string{"WAU"}, []string{"FY"}, 2018, 2020},
	{"18P9", "Front seat belt tensioner", "The pyrotechnic belt tensioner may not fire in a collision. The tensioner is replaced.", "safety", date(2018, time.September, 3), []string{"WP0"}, []string{"BR"}, 2012, 2013},
	{"23P1", "Front axle tie rod", "A tie rod end may have been tightened insufficiently. The tie rods are inspected and replaced if needed.", "safety", date(2023, time.July, 10), []string{"WP0"}, []string{"YA"}, 2020, 2021},
	{"20K6", "Airbag control unit software", "The airbag control unit may delay deployment of the front airbags. The control unit software is updated.", "safety", date(2020, time.November, 2), []string{"TMB"}, []string{"NE"}, 2018, 2020},
	{"21K8", "Instrument cluster software", "The instrument cluster may restart while driving. The software is updated.", "quality", date(2021, time.March, 29), []string{"TMB"}, []string{"NE"}, 2019, 2020},
	{"22S4", "eCall emergency call module", "The eCall module may not connect to the emergency service. The module is replaced.", "safety", date(2022, time.September, 19), []string{"VSS"}, []string{"KJ", "KA"}, 2017, 2019},
	{"21T3", "Sliding door lock", "The sliding door may not latch fully. The lock is adjusted and the striker replaced.", "safety", date(2021, time.October, 4), []string{"WV2"}, []string{"SG"}, 2016, 2019},
	{"22U2", "Rear-view camera image", "The rear-view camera image may not display when reversing. The infotainment software is updated.", "safety", date(2022, time.May, 5), []string{"1VW", "3VW"}, []string{"A3", "BU"}, 2018, 2021},
}

// Campaigns returns the whole recall table (for tests and documentation).
func Campaigns() []Campaign { return append([]Campaign(nil), campaigns...) }

func (c Campaign) concerns(wmi, typeCode string, modelYear int, produced time.Time) bool {
	if modelYear < c.YearFrom || modelYear > c.YearTo || produced.After(c.Issued) {
		return false
	}
	return contains(c.WMIs, wmi) && contains(c.TypeCodes, typeCode)
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}
