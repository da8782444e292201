// Package securitytest holds the cross-cutting security tests of the product (issue 5), run
// through the HTTP API of the real local stack (internal/local/stack): JWT attacks at the gateway,
// the access matrix of every route in api/openapi.yaml against every kind of caller, proof of
// ownership and brute force through the routes, hostile requests, and personal-data canaries in
// everything the stack logs and in every X-Ray segment it emits (stack.Config.TraceEmitter),
// a Lambda step's panic included (injected through stack.Config.WrapFunctions). It has no
// non-test code: this file exists so that the directory is a package.
//
// The tests start one stack per test binary (dynalite is a node process, and the machines these
// tests run on are small) and share it; each test uses VINs no other test uses, so they do not
// depend on each other's cache entries or grants, and run in any order (-shuffle=on).
package securitytest
