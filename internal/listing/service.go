package listing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// ErrNotFound is what a Store returns for an item that does not exist.
var ErrNotFound = errors.New("listing: not found")

// ErrConditionFailed is what a Store returns when a conditional write's condition does not hold.
var ErrConditionFailed = errors.New("listing: condition failed")

// Reservation is the idempotency record of one create request.
type Reservation struct {
	ListingID   string
	Fingerprint string
	ExpiresAt   time.Time
}

// Claim says which listing holds a VIN's one active slot.
type Claim struct {
	ListingID string
	ClaimedAt time.Time
}

// Store keeps listings; every method is one conditional single-item write or one read (DynamoDB
// adapter in internal/dynamo/listing.go; dynalite has no transactions).
type Store interface {
	// Reserve writes r under (seller, key) unless an unexpired reservation is there; it returns
	// the reservation that holds afterwards (r, or the earlier one).
	Reserve(ctx context.Context, seller, key string, r Reservation, now time.Time) (Reservation, error)
	// ClaimVIN gives vin's active slot to id unless another listing holds it (expected is the
	// holder being replaced, "" for none); it returns the holder afterwards.
	ClaimVIN(ctx context.Context, vin vehicle.VIN, c Claim, expected string) (Claim, error)
	// ReleaseVIN frees vin's slot if id holds it.
	ReleaseVIN(ctx context.Context, vin vehicle.VIN, id string) error
	// Insert writes a new listing; ErrConditionFailed when its id exists.
	Insert(ctx context.Context, l Listing) error
	// Replace writes l over the listing with the same id at version prev; ErrConditionFailed when
	// the stored version differs.
	Replace(ctx context.Context, l Listing, prev int) error
	Get(ctx context.Context, id string) (Listing, error)
	BySeller(ctx context.Context, seller string) ([]Listing, error)
}

// Service is the seller's side of listings.
type Service struct {
	Store Store
	Now   func() time.Time
	NewID func() string
	// ClaimTimeout is how long a VIN claim whose listing was never written blocks other creates:
	// after it the creator's retries have certainly stopped (idempotency keys live as long).
	ClaimTimeout time.Duration
	// Observer, when set, is told how each write ended (operators' metrics).
	Observer Observer
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// CreateRequest is a validated create.
type CreateRequest struct {
	Seller         string
	IdempotencyKey string
	Draft          Draft
	Verified       Verified
}

// ValidateKey checks an Idempotency-Key header value.
func ValidateKey(key string) error {
	if len(key) < 8 || len(key) > 128 {
		return apperr.InvalidField("Idempotency-Key", "length", "Idempotency-Key must be 8 to 128 characters")
	}
	for _, ch := range key {
		if ch < 0x21 || ch > 0x7e {
			return apperr.InvalidField("Idempotency-Key", "alphabet", "Idempotency-Key must be printable ASCII without spaces")
		}
	}
	return nil
}

// Create makes a listing, at most one per (seller, idempotency key) and one active per VIN.
//
// The writes are ordered so that a crash between any two of them loses nothing acknowledged and
// never makes two listings for one key: (1) the reservation fixes the listing id for the key
// before anything else, so every retry writes the same id; (2) the VIN claim names that id, so a
// retry finds its own claim; (3) the listing is inserted only if its id is new. A retry after a
// crash anywhere redoes the missing writes with the same id; only (3) is acknowledged.
func (s *Service) Create(ctx context.Context, req CreateRequest) (Listing, error) {
	l, replayed, err := s.create(ctx, req)
	s.observe(ctx, OpCreate, err, replayed)
	return l, err
}

// create is Create; replayed says the listing was made by an earlier request with the key.
func (s *Service) create(ctx context.Context, req CreateRequest) (Listing, bool, error) {
	vin, err := req.Draft.Validate()
	if err != nil {
		return Listing{}, false, err
	}
	if err := ValidateKey(req.IdempotencyKey); err != nil {
		return Listing{}, false, err
	}
	now := s.now()
	fp := req.Draft.Fingerprint(vin)
	res, err := s.Store.Reserve(ctx, req.Seller, req.IdempotencyKey,
		Reservation{ListingID: s.NewID(), Fingerprint: fp, ExpiresAt: now.Add(IdempotencyExpiry)}, now)
	if err != nil {
		return Listing{}, false, fmt.Errorf("reserve idempotency key: %w", err)
	}
	if res.Fingerprint != fp {
		return Listing{}, false, apperr.New(apperr.Unprocessable, "this Idempotency-Key was used with a different request body")
	}
	// A retry of an acknowledged create answers the listing as it is.
	if l, err := s.Store.Get(ctx, res.ListingID); err == nil {
		return l, true, nil
	} else if !errors.Is(err, ErrNotFound) {
		return Listing{}, false, fmt.Errorf("read listing: %w", err)
	}
	if err := s.claim(ctx, vin, res.ListingID, now); err != nil {
		return Listing{}, false, err
	}
	l := Listing{ID: res.ListingID, Status: StatusActive, VIN: vin, Seller: req.Seller,
		PriceEur: req.Draft.PriceEur, Description: req.Draft.Description, Photos: append([]string{}, req.Draft.Photos...),
		Region:   Region{Country: toUpper(req.Draft.Region.Country), PostalPrefix: req.Draft.Region.PostalPrefix},
		Verified: req.Verified, CreatedAt: now, UpdatedAt: now, Version: 1}
	switch err := s.Store.Insert(ctx, l); {
	case errors.Is(err, ErrConditionFailed):
		// A concurrent retry with the same key inserted it first.
		got, gerr := s.Store.Get(ctx, l.ID)
		if gerr != nil {
			return Listing{}, false, fmt.Errorf("read listing after a lost insert race: %w", gerr)
		}
		return got, true, nil
	case err != nil:
		return Listing{}, false, fmt.Errorf("insert listing: %w", err)
	}
	return l, false, nil
}

// claim takes vin's active slot for id. Another holder is a 409 naming it, unless its listing is
// withdrawn (the withdrawal crashed before releasing) or was never written within ClaimTimeout
// (its creator gave up): then the slot is taken over, conditionally on that holder.
func (s *Service) claim(ctx context.Context, vin vehicle.VIN, id string, now time.Time) error {
	expected := ""
	for range 3 {
		holder, err := s.Store.ClaimVIN(ctx, vin, Claim{ListingID: id, ClaimedAt: now}, expected)
		if err != nil {
			return fmt.Errorf("claim vehicle: %w", err)
		}
		if holder.ListingID == id {
			return nil
		}
		other, err := s.Store.Get(ctx, holder.ListingID)
		switch {
		case err == nil && other.Status == StatusActive:
			return conflict(holder.ListingID)
		case err == nil: // withdrawn: free in fact
		case errors.Is(err, ErrNotFound):
			timeout := s.ClaimTimeout
			if timeout <= 0 {
				timeout = IdempotencyExpiry
			}
			if now.Sub(holder.ClaimedAt) < timeout {
				return conflict(holder.ListingID) // being created right now under another key
			}
		default:
			return fmt.Errorf("read the vehicle's listing: %w", err)
		}
		expected = holder.ListingID
	}
	return apperr.New(apperr.Conflict, "the vehicle's listing is changing; retry")
}

func conflict(id string) error {
	return &apperr.Error{Code: apperr.Conflict, Field: "vin",
		Message: "this vehicle already has an active listing: " + id}
}

// ForSeller reads a listing for a change by subject.
func (s *Service) ForSeller(ctx context.Context, id, subject string) (Listing, error) {
	l, err := s.Read(ctx, id)
	if err != nil {
		return Listing{}, err
	}
	if err := CheckSeller(l, subject); err != nil {
		return Listing{}, err
	}
	return l, nil
}

// Read returns a listing by id: 404 when unknown (or not an id at all).
func (s *Service) Read(ctx context.Context, id string) (Listing, error) {
	if !ValidID(id) {
		return Listing{}, apperr.New(apperr.NotFound, "no such listing")
	}
	l, err := s.Store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Listing{}, apperr.New(apperr.NotFound, "no such listing")
	}
	if err != nil {
		return Listing{}, fmt.Errorf("read listing: %w", err)
	}
	return l, nil
}

// Public is GET /listings/{id}: 410 once withdrawn.
func (s *Service) Public(ctx context.Context, id string) (Listing, error) {
	l, err := s.Read(ctx, id)
	if err != nil {
		return Listing{}, err
	}
	if l.Status != StatusActive {
		return Listing{}, apperr.New(apperr.Gone, "this listing was withdrawn")
	}
	return l, nil
}

// Update applies a seller's patch under If-Match.
func (s *Service) Update(ctx context.Context, id, subject, ifMatch string, p Patch) (Listing, error) {
	l, err := s.update(ctx, id, subject, ifMatch, p)
	s.observe(ctx, OpUpdate, err, false)
	return l, err
}

func (s *Service) update(ctx context.Context, id, subject, ifMatch string, p Patch) (Listing, error) {
	l, err := s.ForSeller(ctx, id, subject)
	if err != nil {
		return Listing{}, err
	}
	if err := CheckIfMatch(l, ifMatch); err != nil {
		return Listing{}, err
	}
	next, err := p.Apply(l)
	if err != nil {
		return Listing{}, err
	}
	return s.replace(ctx, next, l.Version)
}

// Refresh replaces the verified snapshot.
func (s *Service) Refresh(ctx context.Context, id, subject string, v Verified) (Listing, error) {
	l, err := s.refresh(ctx, id, subject, v)
	s.observe(ctx, OpRefresh, err, false)
	return l, err
}

func (s *Service) refresh(ctx context.Context, id, subject string, v Verified) (Listing, error) {
	next, _, err := s.rewrite(ctx, id, subject, "refreshed", func(l *Listing) { l.Verified = v })
	return next, err
}

// Withdraw takes a listing down; the record stays for audit. The listing is written first, the
// VIN's slot freed second: a crash between leaves a claim on a withdrawn listing, which the next
// create takes over.
func (s *Service) Withdraw(ctx context.Context, id, subject string) error {
	err := s.withdraw(ctx, id, subject)
	s.observe(ctx, OpWithdraw, err, false)
	return err
}

// rewriteAttempts bounds how often a refresh or a withdrawal reads the listing again after
// another write won the race between its read and its conditional write. Neither takes If-Match:
// neither depends on what changed, so the seller's other tab saving a price at the same moment
// must not make it fail with a 412 the contract does not declare for it.
const rewriteAttempts = 3

func (s *Service) withdraw(ctx context.Context, id, subject string) error {
	_, prev, err := s.rewrite(ctx, id, subject, "withdrawn", func(l *Listing) { l.Status = StatusWithdrawn })
	if err != nil {
		return err // a concurrent withdrawal lands here as 410
	}
	if err := s.Store.ReleaseVIN(ctx, prev.VIN, prev.ID); err != nil {
		return fmt.Errorf("release vehicle: %w", err)
	}
	return nil
}

// rewrite applies change to the seller's current listing and writes it, reading again when
// another write lands in between; it returns the listing written and the one it replaced.
func (s *Service) rewrite(ctx context.Context, id, subject, what string, change func(*Listing)) (Listing, Listing, error) {
	for range rewriteAttempts {
		l, err := s.ForSeller(ctx, id, subject)
		if err != nil {
			return Listing{}, Listing{}, err
		}
		next := l
		change(&next)
		written, err := s.replace(ctx, next, l.Version)
		if apperr.CodeOf(err) == apperr.PreconditionFailed {
			continue
		}
		return written, l, err
	}
	return Listing{}, Listing{}, apperr.New(apperr.Unavailable, "the listing kept changing while it was being %s; try again", what)
}

func (s *Service) replace(ctx context.Context, next Listing, prev int) (Listing, error) {
	next.Version = prev + 1
	next.UpdatedAt = s.now()
	if err := s.Store.Replace(ctx, next, prev); errors.Is(err, ErrConditionFailed) {
		return Listing{}, apperr.New(apperr.PreconditionFailed, "the listing changed since you read it; read it again")
	} else if err != nil {
		return Listing{}, fmt.Errorf("write listing: %w", err)
	}
	return next, nil
}

// Mine lists the seller's listings, newest first.
func (s *Service) Mine(ctx context.Context, subject string) ([]Listing, error) {
	ls, err := s.Store.BySeller(ctx, subject)
	if err != nil {
		return nil, fmt.Errorf("list the seller's listings: %w", err)
	}
	return ls, nil
}

func toUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
