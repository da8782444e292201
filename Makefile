# Two commands matter (see README): `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
LINT  := $(GO) tool -modfile=tools/go.mod golangci-lint
PORT  ?= 8080

.PHONY: run test deps vet lint unit race conformance bench build clean

# deps installs what the project needs from the package registries; it is idempotent and fast when
# nothing changed (npm ci only when the lockfile is newer than the installed tree).
deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: deps
	$(GO) build -o bin/vehicled ./cmd/vehicled
	PORT=$(PORT) ./bin/vehicled

vet:
	$(GO) vet ./...

# --allow-parallel-runners: on a machine shared by several checkouts, run alongside another
# checkout's golangci-lint instead of failing on its lock.
lint:
	$(LINT) run --allow-parallel-runners ./...

unit: deps
	$(GO) test -count=1 -timeout 10m ./...

# race runs the race detector on the packages that start goroutines or share state between them
# (singleflight and leases, breakers, key-set refresh, the stack's servers, the simulators).
RACE_PKGS := ./internal/dynamo/... ./internal/oidc/... ./internal/tracing/... ./internal/wiring/... \
	./internal/local/... ./functions/fetchsource/... ./legacyclients/transport/... ./legacyclients/sim/...
race: deps
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 15m $(RACE_PKGS)

# conformance prints the engine's score on the AWS-recorded corpus (it reports, the Go test judges).
conformance:
	$(GO) run ./cmd/asl conform ../shared/conformance/sfn | tail -1

test: deps vet lint unit race

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# build cross-compiles the single Lambda binary for provided.al2023 on arm64.
build:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bin/lambda/bootstrap ./functions/lambda

clean:
	rm -rf bin .data
