package world

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Town is where a keeper lives and a workshop or dealer sits. All people, companies and places
// here are fictitious combinations; any resemblance to a real business is accidental.
type Town struct {
	City       string
	PostalCode string // a plausible postal code of the town, varied in the last digits
	District   string // DE: plate district code; CZ: region letter; US/MX: state code
}

// country holds what differs between registration countries.
type country struct {
	Code       string
	Towns      []Town
	FirstNames []string
	LastNames  []string
	// Workshop and dealer name patterns; %s is a last name or a town.
	WorkshopPattern, DealerPattern string
	// Roadworthiness inspection: the first one after FirstYears, then every IntervalYears.
	FirstYears, IntervalYears int
}

var countries = map[string]country{
	"DE": {
		Code: "DE",
		Towns: []Town{
			{"München", "80331", "M"}, {"Berlin", "10115", "B"}, {"Hamburg", "20095", "HH"}, {"Köln", "50667", "K"},
			{"Frankfurt am Main", "60311", "F"}, {"Stuttgart", "70173", "S"}, {"Wolfsburg", "38440", "WOB"},
			{"Ingolstadt", "85049", "IN"}, {"Hannover", "30159", "H"}, {"Nürnberg", "90402", "N"},
			{"Leipzig", "04109", "L"}, {"Düsseldorf", "40213", "D"}, {"Braunschweig", "38100", "BS"}, {"Göttingen", "37073", "GÖ"},
		},
		FirstNames:      []string{"Anna", "Lukas", "Sophie", "Jonas", "Marie", "Felix", "Lena", "Paul", "Jürgen", "Sabine", "Katrin", "Stefan", "Uwe", "Birgit"},
		LastNames:       []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Krüger", "Groß", "Köhler", "Brandt"},
		WorkshopPattern: "Autohaus %s GmbH",
		DealerPattern:   "Gebrauchtwagen %s GmbH",
		FirstYears:      3, IntervalYears: 2,
	},
	"CZ": {
		Code: "CZ",
		Towns: []Town{
			{"Praha", "11000", "A"}, {"Brno", "60200", "B"}, {"Ostrava", "70200", "T"}, {"Mladá Boleslav", "29301", "S"},
			{"Liberec", "46001", "L"}, {"Olomouc", "77900", "M"}, {"Zlín", "76001", "Z"}, {"Kolín", "28002", "S"},
		},
		FirstNames:      []string{"Jan", "Petra", "Filip", "Lucie", "Martin", "Jana", "Pavel", "Eva", "Jakub", "Tereza"},
		LastNames:       []string{"Novák", "Svoboda", "Novotný", "Dvorák", "Pokorný", "Procházka", "Kucera", "Veselý", "Horák", "Marek"},
		WorkshopPattern: "Autoservis %s s.r.o.",
		DealerPattern:   "Auto %s a.s.",
		FirstYears:      4, IntervalYears: 2,
	},
	"ES": {
		Code: "ES",
		Towns: []Town{
			{"Madrid", "28001", "M"}, {"Barcelona", "08001", "B"}, {"Valencia", "46001", "V"}, {"Sevilla", "41001", "SE"},
			{"Zaragoza", "50001", "Z"}, {"Málaga", "29001", "MA"}, {"Bilbao", "48001", "BI"}, {"Martorell", "08760", "B"},
		},
		FirstNames:      []string{"Lucía", "Hugo", "María", "Pablo", "Carmen", "Javier", "Elena", "Álvaro", "Marta", "Sergio"},
		LastNames:       []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Núñez", "Ibáñez"},
		WorkshopPattern: "Talleres %s S.L.",
		DealerPattern:   "Automóviles %s S.A.",
		FirstYears:      4, IntervalYears: 2,
	},
	"US": {
		Code: "US",
		Towns: []Town{
			{"Chattanooga", "37402", "TN"}, {"Austin", "78701", "TX"}, {"Denver", "80202", "CO"}, {"Portland", "97201", "OR"},
			{"Columbus", "43215", "OH"}, {"Raleigh", "27601", "NC"}, {"Sacramento", "95814", "CA"},
		},
		FirstNames:      []string{"Emily", "James", "Olivia", "Michael", "Ava", "Daniel", "Grace", "Ethan", "Chloe", "Ryan"},
		LastNames:       []string{"Smith", "Johnson", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Walker"},
		WorkshopPattern: "%s Volkswagen Service",
		DealerPattern:   "%s Certified Pre-Owned",
		FirstYears:      2, IntervalYears: 2,
	},
	"MX": {
		Code: "MX",
		Towns: []Town{
			{"Puebla", "72000", "PUE"}, {"Ciudad de México", "06000", "CMX"}, {"Guadalajara", "44100", "JAL"},
			{"Monterrey", "64000", "NLE"}, {"Querétaro", "76000", "QRO"},
		},
		FirstNames:      []string{"José", "Guadalupe", "Luis", "Fernanda", "Carlos", "Valeria", "Miguel", "Daniela", "Andrés", "Sofía"},
		LastNames:       []string{"Hernández", "García", "Martínez", "López", "González", "Ramírez", "Flores", "Torres", "Cruz", "Reyes"},
		WorkshopPattern: "Servicio Automotriz %s S.A. de C.V.",
		DealerPattern:   "Seminuevos %s S.A. de C.V.",
		FirstYears:      2, IntervalYears: 1,
	},
}

// countryOf is where a car of this WMI is registered: the assembly region's home market keeps the
// data model small and every field consistent (plates, postal codes, inspection rules).
func countryOf(manufacturerCountry string) country {
	if c, ok := countries[manufacturerCountry]; ok {
		return c
	}
	return countries["DE"]
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// postalCode varies the town's base code in its last two digits.
func postalCode(r *rand.Rand, t Town) string {
	base := t.PostalCode
	return base[:len(base)-2] + fmt.Sprintf("%02d", r.IntN(60))
}

const (
	upperNoIOQ     = "ABCDEFGHJKLMNPRSTUVWXYZ"
	spanishLetters = "BCDFGHJKLMNPRSTVWXYZ" // Spanish plates use consonants only
	digits         = "0123456789"
	docCodeChars   = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I: the code is typed from paper
)

func randString(r *rand.Rand, alphabet string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// plate mints a number plate in the country's current format.
func plate(r *rand.Rand, c country, t Town) string {
	switch c.Code {
	case "DE": // "M-AB 1234": district, 1-2 letters, 1-4 digits; at most 8 characters without separators
		letters := randString(r, upperNoIOQ, 1+r.IntN(2))
		maxDigits := min(4, 8-len([]rune(t.District))-len(letters))
		n := 1 + r.IntN(maxDigits)
		num := fmt.Sprint(1 + r.IntN(pow10(n)-1))
		return t.District + "-" + letters + " " + num
	case "CZ": // "1S2 3456": digit, region letter, character, four digits
		return fmt.Sprintf("%d%s%s %04d", 1+r.IntN(9), t.District, randString(r, upperNoIOQ+digits, 1), r.IntN(10000))
	case "ES": // "1234 BCD"
		return fmt.Sprintf("%04d %s", r.IntN(10000), randString(r, spanishLetters, 3))
	case "US": // "ABC-1234" with the state kept separately in reality; the plate itself is enough here
		return randString(r, upperNoIOQ, 3) + "-" + fmt.Sprintf("%04d", r.IntN(10000))
	default: // MX "ABC-123-D"
		return randString(r, upperNoIOQ, 3) + "-" + fmt.Sprintf("%03d", r.IntN(1000)) + "-" + randString(r, upperNoIOQ, 1)
	}
}

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}

// Person is a keeper: a private person or a company.
type Person struct {
	Name       string
	Street     string
	PostalCode string
	City       string
}

var streets = map[string][]string{
	"DE": {"Hauptstraße", "Bahnhofstraße", "Lindenweg", "Gartenstraße", "Schillerstraße", "Am Mühlbach"},
	"CZ": {"Masarykova", "Husova", "Palackého", "Komenského", "Zahradní", "Lidická"},
	"ES": {"Calle Mayor", "Avenida de la Constitución", "Calle Real", "Plaza de España", "Calle del Sol"},
	"US": {"Main Street", "Oak Avenue", "Maple Drive", "Elm Street", "Lakeview Road"},
	"MX": {"Avenida Juárez", "Calle Hidalgo", "Calle Morelos", "Avenida Reforma", "Calle Zaragoza"},
}

func street(r *rand.Rand, c country) string {
	s := pick(r, streets[c.Code])
	n := 1 + r.IntN(120)
	if c.Code == "US" {
		return fmt.Sprintf("%d %s", n*10, s)
	}
	return fmt.Sprintf("%s %d", s, n)
}

func privatePerson(r *rand.Rand, c country, t Town) Person {
	return Person{
		Name:       pick(r, c.FirstNames) + " " + pick(r, c.LastNames),
		Street:     street(r, c),
		PostalCode: postalCode(r, t),
		City:       t.City,
	}
}

var companyKinds = map[string][]string{
	"DE": {"%s Logistik GmbH", "%s Haustechnik GmbH", "Pflegedienst %s", "%s Leasing GmbH"},
	"CZ": {"%s Logistika s.r.o.", "Stavby %s s.r.o.", "%s Leasing a.s."},
	"ES": {"Transportes %s S.L.", "Construcciones %s S.A.", "%s Renting S.A."},
	"US": {"%s Logistics LLC", "%s Plumbing Inc.", "%s Fleet Leasing"},
	"MX": {"Transportes %s S.A.", "Constructora %s", "Arrendadora %s"},
}

func companyPerson(r *rand.Rand, c country, t Town) Person {
	return Person{
		Name:       fmt.Sprintf(pick(r, companyKinds[c.Code]), pick(r, c.LastNames)),
		Street:     street(r, c),
		PostalCode: postalCode(r, t),
		City:       t.City,
	}
}

// Workshop is a dealer workshop of the network.
type Workshop struct {
	ID   string
	Name string
	City string
}

// workshopIn is the network's workshop in a town: one per town, so all visits of a keeper go to
// the same place, as they tend to.
func workshopIn(c country, townIndex int) Workshop {
	t := c.Towns[townIndex]
	owner := c.LastNames[(townIndex*7+3)%len(c.LastNames)]
	return Workshop{
		ID:   fmt.Sprintf("%s%04d", c.Code, 1000+townIndex*37),
		Name: fmt.Sprintf(c.WorkshopPattern, owner),
		City: t.City,
	}
}

// Dealer is a dealership selling used cars.
type Dealer struct {
	ID         string
	Name       string
	Street     string
	PostalCode string
	City       string
	Country    string
}

// dealerIn is the network's used-car dealer in a town.
func dealerIn(c country, townIndex int) Dealer {
	t := c.Towns[townIndex]
	return Dealer{
		ID:         fmt.Sprintf("D%s%03d", c.Code, 100+townIndex*11),
		Name:       fmt.Sprintf(c.DealerPattern, t.City),
		Street:     fmt.Sprintf("%s %d", streets[c.Code][townIndex%len(streets[c.Code])], 10+townIndex*3),
		PostalCode: t.PostalCode,
		City:       t.City,
		Country:    c.Code,
	}
}

var callingCodes = map[string]string{"DE": "49", "CZ": "420", "ES": "34", "US": "1", "MX": "52"}

// contactOf gives a keeper a contact: about half a mobile number, four in ten an e-mail address
// (at example.com, which nobody can own), one in ten none.
func contactOf(r *rand.Rand, c country, p Person) Contact {
	switch n := r.IntN(10); {
	case n == 0:
		return Contact{}
	case n <= 5:
		return Contact{Channel: ContactSMS, Address: "+" + callingCodes[c.Code] + "1" + randString(r, "0123456789", 8)}
	default:
		local := strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z':
				return r
			case r == ' ':
				return '.'
			}
			return -1
		}, strings.ToLower(p.Name))
		return Contact{Channel: ContactEmail, Address: strings.Trim(local, ".") + "." + randString(r, "0123456789", 3) + "@example.com"}
	}
}
