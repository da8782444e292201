package listing_test

import (
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/listing"
)

func good() listing.Draft {
	return listing.Draft{VIN: "WVWZZZCD3MW100001", PriceEur: 18500, Description: "Well kept.\nNon-smoker.",
		Photos: []string{"https://img.example.com/a.jpg"}, Region: listing.Region{Country: "DE", PostalPrefix: "101"}}
}

func TestDraftRules(t *testing.T) {
	cases := []struct {
		name        string
		edit        func(*listing.Draft)
		field, rule string
	}{
		{"vin", func(d *listing.Draft) { d.VIN = "WVWZZZCD3MW10000" }, "vin", "length"},
		{"price low", func(d *listing.Draft) { d.PriceEur = 99 }, "priceEur", "range"},
		{"price high", func(d *listing.Draft) { d.PriceEur = 10_000_001 }, "priceEur", "range"},
		{"description long", func(d *listing.Draft) { d.Description = strings.Repeat("ä", 2001) }, "description", "max-length"},
		{"description markup", func(d *listing.Draft) { d.Description = "<script>x</script>" }, "description", "plain-text"},
		{"description control", func(d *listing.Draft) { d.Description = "a\x00b" }, "description", "plain-text"},
		{"21 photos", func(d *listing.Draft) { d.Photos = make([]string, 21) }, "photos", "max-items"},
		{"http photo", func(d *listing.Draft) { d.Photos = []string{"http://img.example.com/a.jpg"} }, "photos[0]", "https"},
		{"relative photo", func(d *listing.Draft) { d.Photos = []string{"/a.jpg"} }, "photos[0]", "url"},
		{"javascript photo", func(d *listing.Draft) { d.Photos = []string{"javascript:alert(1)"} }, "photos[0]", "url"},
		{"credentials", func(d *listing.Draft) { d.Photos = []string{"https://u:p@img.example.com/a.jpg"} }, "photos[0]", "url"},
		{"country", func(d *listing.Draft) { d.Region.Country = "XX" }, "region.country", "iso-3166-alpha2"},
		{"country long", func(d *listing.Draft) { d.Region.Country = "DEU" }, "region.country", "iso-3166-alpha2"},
		{"full postcode", func(d *listing.Draft) { d.Region.PostalPrefix = "10115" }, "region.postalPrefix", "prefix-length"},
		{"empty prefix", func(d *listing.Draft) { d.Region.PostalPrefix = "" }, "region.postalPrefix", "prefix-length"},
		{"prefix symbols", func(d *listing.Draft) { d.Region.PostalPrefix = "1 1" }, "region.postalPrefix", "alphanumeric"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := good()
			c.edit(&d)
			_, err := d.Validate()
			e := apperr.As(err)
			if e.Code != apperr.Invalid || e.Field != c.field || e.Rule != c.rule {
				t.Fatalf("got %v, want INVALID %s/%s", err, c.field, c.rule)
			}
		})
	}
	if _, err := good().Validate(); err != nil {
		t.Fatal(err)
	}
	d := good()
	d.PriceEur, d.Description, d.Region.Country = 100, strings.Repeat("ä", 2000), "at"
	d.Photos = make([]string, 20)
	for i := range d.Photos {
		d.Photos[i] = "https://cdn.example.org/p.jpg"
	}
	if _, err := d.Validate(); err != nil {
		t.Fatalf("the bounds themselves are allowed: %v", err)
	}
}

func TestPhotoHostsMustBePublic(t *testing.T) {
	private := []string{
		"https://localhost/a.jpg", "https://LOCALHOST./a.jpg", "https://foo.localhost/a.jpg",
		"https://127.0.0.1/a.jpg", "https://127.1/a.jpg", "https://2130706433/a.jpg", "https://0x7f000001/a.jpg",
		"https://0x7f.0.0.1/a.jpg", "https://017700000001/a.jpg",
		"https://10.0.0.8/a.jpg", "https://172.16.3.4/a.jpg", "https://192.168.1.1/a.jpg",
		"https://169.254.169.254/latest/meta-data", "https://100.64.0.1/a.jpg", "https://0.0.0.0/a.jpg",
		"https://[::1]/a.jpg", "https://[fe80::1]/a.jpg", "https://[fd00::1]/a.jpg", "https://[::ffff:127.0.0.1]/a.jpg",
		"https://intranet/a.jpg", "https://printer.local/a.jpg", "https://db.internal/a.jpg", "https://nas.home.arpa/a.jpg",
	}
	for _, u := range private {
		err := listing.ValidatePhotos([]string{u})
		if e := apperr.As(err); e.Code != apperr.Invalid || e.Rule != "public-host" {
			t.Errorf("%s: %v, want public-host", u, err)
		}
	}
	public := []string{"https://img.example.com/a.jpg", "https://8.8.8.8/a.jpg", "https://[2001:4860::8888]/a.jpg",
		"https://cdn.example.com:8443/p/1.jpg?w=800", "https://1e100.net/a.jpg"}
	for _, u := range public {
		if err := listing.ValidatePhotos([]string{u}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestIDsAreLongAndRandom(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := listing.NewID()
		if len(id) != 26 || !listing.ValidID(id) || seen[id] || strings.ToLower(id) != id {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "abc", strings.Repeat("a", 27), strings.Repeat("1", 26), strings.Repeat("A", 26)} {
		if listing.ValidID(bad) {
			t.Errorf("ValidID(%q)", bad)
		}
	}
}

func TestFingerprintIgnoresSpelling(t *testing.T) {
	a, b := good(), good()
	b.VIN, b.Region.Country = strings.ToLower(b.VIN), "de"
	va, _ := a.Validate()
	vb, _ := b.Validate()
	if a.Fingerprint(va) != b.Fingerprint(vb) {
		t.Error("the same request spelled differently has another fingerprint")
	}
	b.PriceEur++
	if a.Fingerprint(va) == b.Fingerprint(vb) {
		t.Error("another price has the same fingerprint")
	}
}
