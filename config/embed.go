// Package config holds the per-environment files that the backend, the site and the CDK app all
// read, so that an environment's feature toggles are stated once.
package config

import "embed"

// Features holds features/<env>.json for every environment (local, dev, qa, prod): which
// product features are switched on there.
//
//go:embed features/*.json
var Features embed.FS
