// Package api holds the HTTP contract. The OpenAPI file is embedded so the local gateway, tests
// and tools read exactly the file CDK and the frontend read, without depending on the working
// directory.
package api

import _ "embed"

// OpenAPI is the bytes of openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
