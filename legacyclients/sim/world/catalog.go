package world

// The catalogue below is invented but shaped like the OEM's real product data: a model is found
// by the two-character type code in VIN positions 7-8 (as the European makes encode it), engines
// carry a four-letter code, plants a one-character VIN code (position 11). Every string is
// representable in ISO-8859-1, because the workshop system may be asked to answer in Latin-1 and
// its encoder refuses characters it cannot represent.

// Engine is one power unit a model is offered with.
type Engine struct {
	Code         string
	Name         string // e.g. "1.5 TSI"
	Fuel         string // petrol, diesel, electric, hybrid, cng
	PowerKW      int
	Transmission string // manual, automatic, dsg
	Drive        string // fwd, rwd, awd
}

// Model is one model generation of a make, identified by its VIN type code.
type Model struct {
	TypeCode string // VIN positions 7-8
	Name     string
	Body     string // hatchback, estate, saloon, suv, coupe, van, convertible
	FromYear int    // first model year
	ToYear   int    // last model year
	Engines  []Engine
	// ServiceKm is the distance between scheduled services; 0 means the 15,000 km default.
	ServiceKm int
	// PriceEUR is the list price of a new car of this model, the base for used-car prices.
	PriceEUR int
	// Accessories are the after-sales accessories offered for this model.
	Accessories []string
}

// Plant is an assembly plant, by its VIN code (position 11).
type Plant struct {
	VINCode byte
	Code    string
	Name    string
}

// Color is a paint.
type Color struct {
	Code string
	Name string
}

// EquipmentOption is one factory option (PR code).
type EquipmentOption struct {
	Code        string
	Description string
	Category    string
	// ElectricOnly and CombustionOnly restrict the option to one kind of drive train.
	ElectricOnly, CombustionOnly bool
}

// makeCatalog is the product range behind one WMI.
type makeCatalog struct {
	Models []Model
	Plants []Plant
	Colors []Color
}

// Engines shared by several models of the group, as in reality.
var (
	e10TSI   = Engine{"DKLA", "1.0 TSI", "petrol", 81, "manual", "fwd"}
	e10TSI70 = Engine{"DKRF", "1.0 TSI", "petrol", 70, "manual", "fwd"}
	e15TSI   = Engine{"DPCA", "1.5 TSI", "petrol", 110, "dsg", "fwd"}
	e15eTSI  = Engine{"DFYA", "1.5 eTSI", "hybrid", 110, "dsg", "fwd"}
	e14TSI   = Engine{"CZCA", "1.4 TSI", "petrol", 92, "manual", "fwd"}
	e20TSI   = Engine{"DNPA", "2.0 TSI", "petrol", 180, "dsg", "awd"}
	e20GTI   = Engine{"DNFF", "2.0 TSI GTI", "petrol", 180, "dsg", "fwd"}
	e20TDI   = Engine{"DTTA", "2.0 TDI", "diesel", 110, "dsg", "fwd"}
	e20TDI4  = Engine{"DFHA", "2.0 TDI 4MOTION", "diesel", 140, "dsg", "awd"}
	e16TDI   = Engine{"CLHA", "1.6 TDI", "diesel", 77, "manual", "fwd"}
	e14eHyb  = Engine{"DGEA", "1.4 eHybrid", "hybrid", 150, "dsg", "fwd"}
	e14TGI   = Engine{"CPWA", "1.4 TGI", "cng", 81, "manual", "fwd"}
	e12TSI   = Engine{"CJZA", "1.2 TSI", "petrol", 77, "manual", "fwd"}
	e19TDI   = Engine{"BKCA", "1.9 TDI", "diesel", 77, "manual", "fwd"}
	e16FSI   = Engine{"BLFA", "1.6 FSI", "petrol", 85, "manual", "fwd"}
	eAPP310  = Engine{"EBJA", "APP310 58 kWh", "electric", 150, "automatic", "rwd"}
	eAPP550  = Engine{"EBKA", "APP550 77 kWh", "electric", 210, "automatic", "rwd"}
	eDual    = Engine{"EBLA", "Dual motor 77 kWh", "electric", 220, "automatic", "awd"}
	e20TDIv  = Engine{"DAXA", "2.0 TDI", "diesel", 110, "manual", "fwd"}
	e20TDIv4 = Engine{"CXFA", "2.0 TDI 4MOTION", "diesel", 146, "dsg", "awd"}
	e25TDI   = Engine{"AXDA", "2.5 TDI", "diesel", 96, "manual", "fwd"}
	e20TFSI  = Engine{"DKZA", "40 TFSI", "petrol", 140, "dsg", "fwd"}
	e30TDI   = Engine{"DCPC", "50 TDI quattro", "diesel", 210, "automatic", "awd"}
	e35TFSI  = Engine{"DADA", "35 TFSI", "petrol", 110, "dsg", "fwd"}
	e30TFSIq = Engine{"DLZA", "55 TFSI quattro", "petrol", 250, "automatic", "awd"}
	eAudiBEV = Engine{"EASA", "55 quattro", "electric", 300, "automatic", "awd"}
	e18TFSI  = Engine{"BYTA", "1.8 TFSI", "petrol", 118, "manual", "fwd"}
	e911991  = Engine{"MA102", "3.4 Carrera", "petrol", 257, "dsg", "rwd"}
	e911991S = Engine{"MA103", "3.8 Carrera S", "petrol", 294, "dsg", "rwd"}
	e911992  = Engine{"DKKA", "3.0 Carrera", "petrol", 283, "dsg", "rwd"}
	e911992S = Engine{"DKKB", "3.0 Carrera 4S", "petrol", 331, "dsg", "awd"}
	e911997  = Engine{"M9705", "3.6 Carrera", "petrol", 239, "manual", "rwd"}
	eCayV6   = Engine{"DCBE", "3.0 V6", "petrol", 250, "automatic", "awd"}
	eCayHyb  = Engine{"DCBF", "E-Hybrid", "hybrid", 340, "automatic", "awd"}
	eMacan   = Engine{"DLLA", "2.0", "petrol", 195, "dsg", "awd"}
	eTaycan  = Engine{"EPTA", "Taycan 4S", "electric", 390, "automatic", "awd"}
	eBoxster = Engine{"DFUA", "2.0 718", "petrol", 220, "manual", "rwd"}
	ePanam   = Engine{"DCUA", "2.9 V6 4", "petrol", 243, "dsg", "awd"}
	e1VWV6   = Engine{"CDVA", "3.6 VR6", "petrol", 206, "automatic", "awd"}
	e1VW20T  = Engine{"DKGA", "2.0 TSI", "petrol", 175, "automatic", "fwd"}
	e18TSI   = Engine{"CPKA", "1.8 TSI", "petrol", 125, "automatic", "fwd"}
)

// catalog maps a WMI to its product range. Type codes of model years from 2010 start with a
// letter because VIN position 7 being a letter is what places the year code in the 2010-2039
// cycle (49 CFR 565.15); older generations have digit codes, as the real ones did.
var catalog = map[string]makeCatalog{
	"WVW": {
		Models: []Model{
			{"1K", "Golf", "hatchback", 2004, 2009, []Engine{e16FSI, e19TDI, e14TSI}, 15000, 21000, vwAccessories},
			{"AJ", "Golf", "hatchback", 2010, 2012, []Engine{e12TSI, e14TSI, e16TDI}, 15000, 22000, vwAccessories},
			{"AU", "Golf", "hatchback", 2013, 2020, []Engine{e10TSI, e15TSI, e16TDI, e20TDI, e20GTI, e14TGI}, 30000, 26000, vwAccessories},
			{"CD", "Golf", "hatchback", 2020, 2027, []Engine{e10TSI, e15TSI, e15eTSI, e20TDI, e20GTI, e14eHyb}, 30000, 31000, vwAccessories},
			{"AW", "Polo", "hatchback", 2018, 2027, []Engine{e10TSI70, e10TSI, e15TSI}, 30000, 20000, vwAccessories},
			{"AH", "Polo", "hatchback", 2010, 2017, []Engine{e12TSI, e16TDI, e10TSI70}, 15000, 16000, vwAccessories},
			{"3C", "Passat", "estate", 2005, 2009, []Engine{e19TDI, e16FSI}, 15000, 30000, vwAccessories},
			{"CB", "Passat", "estate", 2015, 2024, []Engine{e15TSI, e20TDI, e20TDI4, e14eHyb}, 30000, 38000, vwAccessories},
			{"CJ", "Passat", "estate", 2025, 2027, []Engine{e15eTSI, e20TDI, e14eHyb}, 30000, 45000, vwAccessories},
			{"AD", "Tiguan", "suv", 2016, 2023, []Engine{e15TSI, e20TDI, e20TDI4, e20TSI}, 30000, 36000, vwAccessories},
			{"CT", "Tiguan", "suv", 2024, 2027, []Engine{e15eTSI, e20TDI, e14eHyb}, 30000, 42000, vwAccessories},
			{"A1", "T-Roc", "suv", 2018, 2027, []Engine{e10TSI, e15TSI, e20TDI}, 30000, 29000, vwAccessories},
			{"E1", "ID.3", "hatchback", 2020, 2027, []Engine{eAPP310, eAPP550}, 30000, 40000, evAccessories},
			{"E2", "ID.4", "suv", 2021, 2027, []Engine{eAPP550, eDual}, 30000, 47000, evAccessories},
			{"AA", "up!", "hatchback", 2012, 2023, []Engine{e10TSI70}, 15000, 14000, vwAccessories},
		},
		Plants: []Plant{{'W', "WOB", "Wolfsburg"}, {'Z', "ZWI", "Zwickau"}, {'E', "EMD", "Emden"}, {'H', "HAN", "Hannover"}, {'P', "BRA", "Bratislava"}},
		Colors: vwColors,
	},
	"WV2": {
		Models: []Model{
			{"7H", "Transporter", "van", 2003, 2009, []Engine{e25TDI, e19TDI}, 15000, 32000, vanAccessories},
			{"SG", "Transporter", "van", 2015, 2024, []Engine{e20TDIv, e20TDIv4}, 30000, 42000, vanAccessories},
			{"SH", "Transporter", "van", 2025, 2027, []Engine{e20TDIv, e14eHyb}, 30000, 50000, vanAccessories},
			{"SK", "Caddy", "van", 2021, 2027, []Engine{e20TDIv, e15TSI}, 30000, 30000, vanAccessories},
			{"SZ", "Crafter", "van", 2017, 2027, []Engine{e20TDIv, e20TDIv4}, 30000, 48000, vanAccessories},
			{"EB", "ID. Buzz", "van", 2022, 2027, []Engine{eAPP550}, 30000, 64000, evAccessories},
		},
		Plants: []Plant{{'H', "HAN", "Hannover"}, {'X', "POZ", "Poznan"}},
		Colors: vwColors,
	},
	"WAU": {
		Models: []Model{
			{"8P", "A3", "hatchback", 2004, 2009, []Engine{e16FSI, e19TDI, e18TFSI}, 15000, 25000, audiAccessories},
			{"FV", "A3", "hatchback", 2013, 2020, []Engine{e14TSI, e15TSI, e16TDI, e20TDI, e18TFSI}, 30000, 29000, audiAccessories},
			{"GY", "A3", "hatchback", 2021, 2027, []Engine{e35TFSI, e20TDI, e14eHyb}, 30000, 34000, audiAccessories},
			{"F4", "A4", "estate", 2016, 2024, []Engine{e20TFSI, e20TDI, e30TDI}, 30000, 45000, audiAccessories},
			{"F2", "A6", "saloon", 2019, 2027, []Engine{e20TFSI, e30TDI, e30TFSIq}, 30000, 60000, audiAccessories},
			{"F3", "Q3", "suv", 2019, 2027, []Engine{e35TFSI, e20TDI, e20TFSI}, 30000, 40000, audiAccessories},
			{"FY", "Q5", "suv", 2017, 2024, []Engine{e20TFSI, e30TDI, e30TFSIq}, 30000, 55000, audiAccessories},
			{"GE", "e-tron", "suv", 2019, 2023, []Engine{eAudiBEV}, 30000, 80000, evAccessories},
			{"BK", "A4", "saloon", 2010, 2015, []Engine{e18TFSI, e20TDI}, 30000, 38000, audiAccessories},
		},
		Plants: []Plant{{'A', "ING", "Ingolstadt"}, {'N', "NSU", "Neckarsulm"}, {'1', "GYR", "Gyor"}, {'B', "BRU", "Brussels"}},
		Colors: audiColors,
	},
	"WP0": {
		Models: []Model{
			{"99", "911", "coupe", 2005, 2009, []Engine{e911997}, 20000, 95000, porscheAccessories},
			{"BR", "911", "coupe", 2012, 2019, []Engine{e911991, e911991S}, 20000, 105000, porscheAccessories},
			{"CA", "911", "coupe", 2020, 2027, []Engine{e911992, e911992S}, 20000, 125000, porscheAccessories},
			{"CY", "Cayenne", "suv", 2018, 2027, []Engine{eCayV6, eCayHyb}, 30000, 90000, porscheAccessories},
			{"MA", "Macan", "suv", 2014, 2027, []Engine{eMacan}, 30000, 70000, porscheAccessories},
			{"YA", "Taycan", "saloon", 2020, 2027, []Engine{eTaycan}, 30000, 115000, evAccessories},
			{"PA", "Panamera", "saloon", 2017, 2027, []Engine{ePanam, eCayHyb}, 30000, 110000, porscheAccessories},
			{"BX", "718 Boxster", "convertible", 2016, 2027, []Engine{eBoxster}, 20000, 65000, porscheAccessories},
		},
		Plants: []Plant{{'S', "ZUF", "Stuttgart-Zuffenhausen"}, {'L', "LPZ", "Leipzig"}, {'U', "OSN", "Osnabrück"}},
		Colors: porscheColors,
	},
	"TMB": {
		Models: []Model{
			{"1Z", "Octavia", "estate", 2004, 2009, []Engine{e19TDI, e16FSI}, 15000, 20000, skodaAccessories},
			{"NE", "Octavia", "estate", 2013, 2027, []Engine{e10TSI, e15TSI, e20TDI, e14eHyb, e14TGI}, 30000, 27000, skodaAccessories},
			{"NJ", "Fabia", "hatchback", 2015, 2027, []Engine{e10TSI70, e10TSI}, 30000, 17000, skodaAccessories},
			{"NP", "Superb", "estate", 2015, 2027, []Engine{e15TSI, e20TDI, e14eHyb, e20TDI4}, 30000, 36000, skodaAccessories},
			{"NS", "Kodiaq", "suv", 2017, 2027, []Engine{e15TSI, e20TDI, e20TDI4}, 30000, 37000, skodaAccessories},
			{"NU", "Karoq", "suv", 2018, 2027, []Engine{e10TSI, e15TSI, e20TDI}, 30000, 30000, skodaAccessories},
			{"NY", "Enyaq", "suv", 2021, 2027, []Engine{eAPP310, eAPP550, eDual}, 30000, 45000, evAccessories},
		},
		Plants: []Plant{{'0', "MBO", "Mladá Boleslav"}, {'2', "KVA", "Kvasiny"}, {'8', "VRC", "Vrchlabí"}},
		Colors: skodaColors,
	},
	"VSS": {
		Models: []Model{
			{"6J", "Ibiza", "hatchback", 2008, 2009, []Engine{e12TSI, e19TDI}, 15000, 14000, seatAccessories},
			{"KP", "Ibiza", "hatchback", 2010, 2016, []Engine{e12TSI, e16TDI, e10TSI70}, 15000, 15000, seatAccessories},
			{"KJ", "Ibiza", "hatchback", 2017, 2027, []Engine{e10TSI70, e10TSI, e15TSI}, 30000, 18000, seatAccessories},
			{"1P", "Leon", "hatchback", 2005, 2009, []Engine{e16FSI, e19TDI}, 15000, 19000, seatAccessories},
			{"KL", "Leon", "hatchback", 2020, 2027, []Engine{e10TSI, e15TSI, e15eTSI, e20TDI, e14eHyb}, 30000, 27000, seatAccessories},
			{"FL", "Leon", "hatchback", 2013, 2019, []Engine{e12TSI, e14TSI, e16TDI, e20TDI}, 30000, 22000, seatAccessories},
			{"KA", "Arona", "suv", 2018, 2027, []Engine{e10TSI, e15TSI}, 30000, 21000, seatAccessories},
			{"KH", "Ateca", "suv", 2016, 2027, []Engine{e15TSI, e20TDI, e20TDI4}, 30000, 29000, seatAccessories},
		},
		Plants: []Plant{{'R', "MAR", "Martorell"}, {'K', "ZAR", "Zaragoza"}, {'P', "BRA", "Bratislava"}},
		Colors: seatColors,
	},
	"1VW": {
		Models: []Model{
			{"A3", "Passat", "saloon", 2012, 2022, []Engine{e18TSI, e1VW20T}, 16000, 27000, vwAccessories},
			{"CA", "Atlas", "suv", 2018, 2027, []Engine{e1VW20T, e1VWV6}, 16000, 38000, vwAccessories},
			{"E2", "ID.4", "suv", 2023, 2027, []Engine{eAPP550, eDual}, 32000, 42000, evAccessories},
		},
		Plants: []Plant{{'C', "CHA", "Chattanooga"}},
		Colors: vwColors,
	},
	"3VW": {
		Models: []Model{
			{"AJ", "Jetta", "saloon", 2011, 2018, []Engine{e18TSI, e14TSI}, 16000, 20000, vwAccessories},
			{"BU", "Jetta", "saloon", 2019, 2027, []Engine{e15TSI, e1VW20T}, 16000, 22000, vwAccessories},
			{"TG", "Tiguan", "suv", 2018, 2024, []Engine{e1VW20T}, 16000, 28000, vwAccessories},
			{"TA", "Taos", "suv", 2022, 2027, []Engine{e15TSI}, 16000, 25000, vwAccessories},
			{"AB", "Beetle", "hatchback", 2012, 2019, []Engine{e18TSI, e1VW20T}, 16000, 21000, vwAccessories},
			{"AU", "Golf", "hatchback", 2015, 2021, []Engine{e18TSI, e1VW20T}, 16000, 23000, vwAccessories},
		},
		Plants: []Plant{{'M', "PUE", "Puebla"}},
		Colors: vwColors,
	},
}

var (
	vwColors = []Color{
		{"0Q0Q", "Pure White"}, {"2T2T", "Deep Black Pearl"}, {"K5K5", "Reflex Silver"}, {"7B7B", "Moonstone Grey"},
		{"H7H7", "Atlantic Blue"}, {"P8P8", "Kings Red"}, {"5K5K", "Lime Yellow"}, {"D5D5", "Dolphin Grey"},
	}
	audiColors = []Color{
		{"2Y2Y", "Glacier White"}, {"A2A2", "Brilliant Black"}, {"L5L5", "Floret Silver"}, {"Z7Z7", "Daytona Grey"},
		{"N7N7", "Navarra Blue"}, {"Y1Y1", "Tango Red"},
	}
	porscheColors = []Color{
		{"C9A", "Guards Red"}, {"A1A", "Black"}, {"M7Z", "GT Silver"}, {"M5J", "Gentian Blue"},
		{"2M2", "Chalk"}, {"1K1", "Racing Yellow"},
	}
	skodaColors = []Color{
		{"F9R", "Moon White"}, {"F9P", "Race Blue"}, {"F9E", "Magic Black"}, {"F8H", "Velvet Red"},
		{"F6T", "Quartz Grey"}, {"F8T", "Brilliant Silver"},
	}
	seatColors = []Color{
		{"S9R", "Nevada White"}, {"S7C", "Desire Red"}, {"S6D", "Magnetic Tech"}, {"S2N", "Mystery Blue"},
		{"S9V", "Midnight Black"}, {"S7Y", "Asphalt Blue"},
	}
)

var (
	vwAccessories      = []string{"Roof bars", "All-weather floor mats", "Towbar, detachable", "Bicycle carrier", "Boot liner", "Winter wheel set 16 inch"}
	evAccessories      = []string{"Wallbox 11 kW", "Mode 3 charging cable", "All-weather floor mats", "Roof bars", "Winter wheel set 19 inch"}
	audiAccessories    = []string{"Audi roof box 360", "All-weather floor mats", "Towbar, electrically folding", "Winter wheel set 17 inch", "Boot tray"}
	porscheAccessories = []string{"Porsche car cover, indoor", "Winter wheel set 20 inch", "Luggage set", "Roof transport system", "Child seat Junior Plus"}
	skodaAccessories   = []string{"Roof bars", "Boot net system", "Towbar, detachable", "Winter wheel set 17 inch", "Rubber floor mats"}
	seatAccessories    = []string{"Roof bars", "Rubber floor mats", "Bicycle carrier", "Winter wheel set 16 inch", "Boot liner"}
	vanAccessories     = []string{"Roof rack, load carrier", "Load space floor, wood", "Towbar, fixed", "Partition wall", "Winter wheel set 16 inch"}
)

// equipmentOptions is the group's PR code list (a small excerpt).
var equipmentOptions = []EquipmentOption{
	{"PJ4", "Alloy wheels 17 inch", "exterior", false, false},
	{"PJ8", "Alloy wheels 18 inch", "exterior", false, false},
	{"8IT", "LED headlights", "exterior", false, false},
	{"3FU", "Panoramic sunroof", "exterior", false, false},
	{"1D4", "Towbar, detachable", "exterior", false, false},
	{"8T6", "Adaptive cruise control", "assistance", false, false},
	{"7Y5", "Lane assist", "assistance", false, false},
	{"7X2", "Park distance control, front and rear", "assistance", false, false},
	{"KA2", "Rear view camera", "assistance", false, false},
	{"7W2", "Emergency brake assist", "safety", false, false},
	{"4X4", "Side airbags, rear", "safety", false, false},
	{"4A3", "Seat heating, front", "comfort", false, false},
	{"9AK", "Climatronic, 3 zones", "comfort", false, false},
	{"4GF", "Heated windscreen", "comfort", false, false},
	{"2ZQ", "Heated steering wheel", "comfort", false, false},
	{"PNQ", "Navigation system, 10 inch", "infotainment", false, false},
	{"9ZV", "App connect", "infotainment", false, false},
	{"9VS", "Premium sound system", "infotainment", false, false},
	{"KS1", "Head-up display", "infotainment", false, false},
	{"9M9", "Heat pump", "comfort", true, false},
	{"ES7", "Charging cable mode 3", "charging", true, false},
	{"KB3", "DC fast charging 135 kW", "charging", true, false},
	{"7L6", "Start-stop system", "efficiency", false, true},
	{"1G8", "Space-saver spare wheel", "exterior", false, true},
}
