// Package vehicle is the shared kernel every bounded context may import: what identifies a
// vehicle (the VIN, its check digit, the make it encodes), its keyed log pseudonym, the legacy
// systems (Source) data comes from, and the access a caller has to a vehicle (Access), which the
// ownership context decides and the report context applies. It holds no rules of any one context.
package vehicle
