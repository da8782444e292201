package listing

import (
	"context"
	"errors"

	"github.com/acme-oem/vehicle-data/internal/apperr"
)

// WriteOp names a listing write.
type WriteOp string

// The writes.
const (
	OpCreate   WriteOp = "create"
	OpUpdate   WriteOp = "update"
	OpRefresh  WriteOp = "refresh"
	OpWithdraw WriteOp = "withdraw"
)

// WriteOutcome is how a listing write ended.
type WriteOutcome string

// The outcomes.
const (
	WriteOK       WriteOutcome = "ok"       // written
	WriteReplayed WriteOutcome = "replayed" // a retried create answered with the listing it made
	WriteConflict WriteOutcome = "conflict" // another listing holds the VIN, an older version, a reused key
	WriteRejected WriteOutcome = "rejected" // bad input, not the seller's, unknown or withdrawn listing
	WriteFailed   WriteOutcome = "failed"   // the table failed
)

// Observer is told how each write ended. It must not block; it gets no id, VIN or seller.
type Observer interface {
	ListingWrite(ctx context.Context, op WriteOp, outcome WriteOutcome)
}

func (s *Service) observe(ctx context.Context, op WriteOp, err error, replayed bool) {
	if s.Observer != nil {
		s.Observer.ListingWrite(ctx, op, writeOutcome(err, replayed))
	}
}

func writeOutcome(err error, replayed bool) WriteOutcome {
	var ae *apperr.Error
	switch {
	case err == nil && replayed:
		return WriteReplayed
	case err == nil:
		return WriteOK
	case !errors.As(err, &ae):
		return WriteFailed
	}
	switch ae.Code {
	case apperr.Conflict, apperr.PreconditionFailed, apperr.Unprocessable:
		return WriteConflict
	case apperr.Unavailable, apperr.Timeout, apperr.Internal:
		return WriteFailed
	default:
		return WriteRejected
	}
}
