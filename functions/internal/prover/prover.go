// Package prover holds who may prove ownership of a vehicle, shared by the ownership steps.
package prover

import (
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/oidc"
)

// Require lets only signed-in consumers (owners and sellers) prove ownership: anonymous callers
// must sign in first, dealers never hold a private car's personal data.
func Require(c oidc.Caller) error {
	switch {
	case c.Role == oidc.RoleAnonymous || c.Subject == "":
		return apperr.New(apperr.Unauthenticated, "sign in to prove that you own a vehicle")
	case c.Role != oidc.RoleConsumer:
		return apperr.New(apperr.Forbidden, "only consumer accounts can prove ownership of a vehicle")
	}
	return nil
}
