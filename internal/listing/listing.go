// Package listing is the seller-listings bounded context: a consumer who has proven ownership of
// a vehicle offers it for sale on a shareable page that shows the verified record's public facts
// beside the seller's own words.
//
// Like every context it imports no AWS SDK, no net/http and no adapter, and of the other contexts
// only the shared kernel (internal/vehicle, internal/apperr); internal/archtest and the depguard
// rules in .golangci.yml enforce it. The verified snapshot comes in as Verified, built by the step
// from the report context's public redaction: this package never sees a personal field.
package listing

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Status is where a listing is in its life.
type Status string

// The statuses.
const (
	StatusActive    Status = "active"    // visible to buyers
	StatusWithdrawn Status = "withdrawn" // taken down by the seller; kept for audit, answered 410
)

// The input bounds (issue 10).
const (
	MinPriceEur       = 100
	MaxPriceEur       = 10_000_000
	MaxDescription    = 2000 // characters (runes), not bytes
	MaxPhotos         = 20
	MaxPhotoURL       = 2048
	IdempotencyExpiry = 24 * time.Hour
)

// Region is where the car can be seen: a country and the leading digits of a postal code, never
// an address.
type Region struct {
	Country      string `json:"country"`
	PostalPrefix string `json:"postalPrefix"`
}

// Fact is one verified value with where and when it came from.
type Fact[T any] struct {
	Value     T              `json:"value"`
	Source    vehicle.Source `json:"source"`
	FetchedAt *time.Time     `json:"fetchedAt,omitempty"`
}

// Odometer is the latest reading. Month is the reading's date as far as the public view shows it
// (the exact day is personal in the report).
type Odometer struct {
	Km    int    `json:"km"`
	Month string `json:"month"`
}

// ServiceSummary summarises the workshop history.
type ServiceSummary struct {
	Count            int    `json:"count"`
	LastServiceMonth string `json:"lastServiceMonth,omitempty"` // YYYY-MM: the public view's date
}

// Recall is an open campaign.
type Recall struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Verified is the snapshot of the public verified record. Each fact is absent when its source
// was unavailable at snapshot time.
type Verified struct {
	Make             *Fact[string]         `json:"make,omitempty"`
	Model            *Fact[string]         `json:"model,omitempty"`
	ModelYear        *Fact[int]            `json:"modelYear,omitempty"`
	Odometer         *Fact[Odometer]       `json:"odometer,omitempty"`
	RollbackDetected *Fact[bool]           `json:"rollbackDetected,omitempty"`
	Service          *Fact[ServiceSummary] `json:"service,omitempty"`
	OpenRecalls      *Fact[[]Recall]       `json:"openRecalls,omitempty"`
	AccidentRecorded *Fact[bool]           `json:"accidentRecorded,omitempty"`
	SnapshotAt       time.Time             `json:"snapshotAt"`
}

// Listing is a vehicle offered for sale by its proven owner. VIN and Seller (the OIDC subject)
// are kept for refresh, audit and other contexts; they are never shown publicly nor logged.
type Listing struct {
	ID          string
	Status      Status
	VIN         vehicle.VIN
	Seller      string
	PriceEur    int
	Description string
	Photos      []string
	Region      Region
	Verified    Verified
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// ETag is the listing's entity tag: its version, quoted.
func (l Listing) ETag() string { return `"v` + strconv.Itoa(l.Version) + `"` }

// View is the public share data of a listing.
type View struct {
	ID          string    `json:"id"`
	Status      Status    `json:"status"`
	ShareURL    string    `json:"shareUrl"`
	PriceEur    int       `json:"priceEur"`
	Description string    `json:"description"`
	Photos      []string  `json:"photos"`
	Region      Region    `json:"region"`
	Verified    Verified  `json:"verified"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// PublicView is what anyone with the link sees: no VIN, no seller.
func (l Listing) PublicView(siteURL string) View {
	photos := l.Photos
	if photos == nil {
		photos = []string{}
	}
	return View{ID: l.ID, Status: l.Status, ShareURL: ShareURL(siteURL, l.ID), PriceEur: l.PriceEur,
		Description: l.Description, Photos: photos, Region: l.Region, Verified: l.Verified,
		CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

// ShareURL is the site's share page of a listing (site path /l/<id>).
func ShareURL(siteURL, id string) string { return strings.TrimSuffix(siteURL, "/") + "/l/" + id }

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns an unguessable listing id: 128 random bits as 26 lower-case base32 characters.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s has the form NewID produces.
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	b, err := idEncoding.DecodeString(s)
	return err == nil && len(b) == 16
}

// Draft is a create request as the seller sent it.
type Draft struct {
	VIN         string   `json:"vin"`
	PriceEur    int      `json:"priceEur"`
	Description string   `json:"description"`
	Photos      []string `json:"photos"`
	Region      Region   `json:"region"`
}

// Validate checks every rule of a create request and returns the normalised VIN.
func (d Draft) Validate() (vehicle.VIN, error) {
	vin, err := vehicle.ParseVINField("vin", d.VIN)
	if err != nil {
		return "", err // the kernel's *apperr.Error names the field and rule
	}
	if err := ValidatePrice(d.PriceEur); err != nil {
		return "", err
	}
	if err := ValidateDescription(d.Description); err != nil {
		return "", err
	}
	if err := ValidatePhotos(d.Photos); err != nil {
		return "", err
	}
	if err := ValidateRegion(d.Region); err != nil {
		return "", err
	}
	return vin, nil
}

// Fingerprint identifies the request's content for idempotency: the same key with another
// fingerprint is a different request.
func (d Draft) Fingerprint(vin vehicle.VIN) string {
	n := d
	n.VIN = string(vin)
	n.Region.Country = strings.ToUpper(n.Region.Country)
	if n.Photos == nil {
		n.Photos = []string{}
	}
	b, _ := json.Marshal(n) // a struct of strings and ints always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ValidatePrice: whole euros, 100 to 10,000,000.
func ValidatePrice(p int) error {
	if p < MinPriceEur || p > MaxPriceEur {
		return apperr.InvalidField("priceEur", "range", "priceEur must be a whole number of euros from 100 to 10,000,000")
	}
	return nil
}

// ValidateDescription: plain text up to 2,000 characters; no markup, no control characters other
// than line breaks and tabs.
func ValidateDescription(s string) error {
	if n := len([]rune(s)); n > MaxDescription {
		return apperr.InvalidField("description", "max-length", "description must be at most 2,000 characters")
	}
	if strings.ContainsAny(s, "<>") {
		return apperr.InvalidField("description", "plain-text", "description must be plain text (no < or >)")
	}
	for _, r := range s {
		if r == '\uFFFD' || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f {
			return apperr.InvalidField("description", "plain-text", "description must be plain text (no control characters)")
		}
	}
	return nil
}

// ValidatePhotos: at most 20 https URLs to public hosts.
func ValidatePhotos(photos []string) error {
	if len(photos) > MaxPhotos {
		return apperr.InvalidField("photos", "max-items", "at most 20 photos")
	}
	for i, p := range photos {
		field := "photos[" + strconv.Itoa(i) + "]"
		if len(p) > MaxPhotoURL {
			return apperr.InvalidField(field, "max-length", "a photo URL must be at most 2,048 characters")
		}
		if err := checkPhotoURL(p); err != nil {
			return apperr.InvalidField(field, err.rule, err.message)
		}
	}
	return nil
}

// ValidateRegion: an ISO 3166-1 alpha-2 country and a postal-code prefix of 1 to 3 digits or
// letters (enough to find the area, never enough to find the house).
func ValidateRegion(r Region) error {
	c := r.Country
	if len(c) != 2 || !isUpperAlpha(strings.ToUpper(c)) || !knownCountry(strings.ToUpper(c)) {
		return apperr.InvalidField("region.country", "iso-3166-alpha2", "region.country must be an ISO 3166-1 alpha-2 country code")
	}
	p := r.PostalPrefix
	if len(p) < 1 || len(p) > 3 {
		return apperr.InvalidField("region.postalPrefix", "prefix-length", "region.postalPrefix must be 1 to 3 characters of a postal code, never a full one")
	}
	for _, ch := range p {
		if (ch < '0' || ch > '9') && (ch < 'A' || ch > 'Z') && (ch < 'a' || ch > 'z') {
			return apperr.InvalidField("region.postalPrefix", "alphanumeric", "region.postalPrefix must be digits or letters")
		}
	}
	return nil
}

func isUpperAlpha(s string) bool {
	for _, ch := range s {
		if ch < 'A' || ch > 'Z' {
			return false
		}
	}
	return true
}

// Patch is a seller's change: any of price, description, photos.
type Patch struct {
	PriceEur    *int      `json:"priceEur"`
	Description *string   `json:"description"`
	Photos      *[]string `json:"photos"`
}

// Apply validates p and returns l changed by it.
func (p Patch) Apply(l Listing) (Listing, error) {
	if p.PriceEur == nil && p.Description == nil && p.Photos == nil {
		return l, apperr.InvalidField("body", "non-empty", "send at least one of priceEur, description, photos")
	}
	if p.PriceEur != nil {
		if err := ValidatePrice(*p.PriceEur); err != nil {
			return l, err
		}
		l.PriceEur = *p.PriceEur
	}
	if p.Description != nil {
		if err := ValidateDescription(*p.Description); err != nil {
			return l, err
		}
		l.Description = *p.Description
	}
	if p.Photos != nil {
		if err := ValidatePhotos(*p.Photos); err != nil {
			return l, err
		}
		l.Photos = append([]string{}, *p.Photos...)
	}
	return l, nil
}

// CheckSeller answers whether subject may change l: 404 unknown, 403 someone else's, 410 withdrawn.
func CheckSeller(l Listing, subject string) error {
	if subject == "" || l.Seller != subject {
		return apperr.New(apperr.Forbidden, "only the seller may change this listing")
	}
	if l.Status != StatusActive {
		return apperr.New(apperr.Gone, "this listing was withdrawn")
	}
	return nil
}

// CheckIfMatch compares an If-Match header with the listing's ETag: 428 without one, 412 when it
// names another version ("*" matches any).
func CheckIfMatch(l Listing, ifMatch string) error {
	ifMatch = strings.TrimSpace(ifMatch)
	if ifMatch == "" {
		return apperr.New(apperr.PreconditionRequired, "send If-Match with the ETag you read")
	}
	if ifMatch == "*" {
		return nil
	}
	for _, tag := range strings.Split(ifMatch, ",") {
		if strings.TrimSpace(tag) == l.ETag() {
			return nil
		}
	}
	return apperr.New(apperr.PreconditionFailed, "the listing changed since you read it; read it again")
}
