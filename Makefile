# Two commands matter (see README): `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
LINT  := $(GO) tool -modfile=tools/go.mod golangci-lint
PORT  ?= 8080
# The engine is its own Go module: the product's ./... does not reach it.
ENGINE := statemachines/engine
ELINT  := $(GO) tool -modfile=$(CURDIR)/tools/go.mod golangci-lint run --config $(CURDIR)/.golangci.yml

.PHONY: run test deps vet lint unit conformance bench build clean

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
	cd $(ENGINE) && $(GO) vet ./...

lint:
	$(LINT) run ./...
	cd $(ENGINE) && $(ELINT) ./...

# The engine's Map, Parallel and API server run on goroutines: those packages also run under -race.
unit: deps
	$(GO) test -count=1 -timeout 10m ./...
	cd $(ENGINE) && $(GO) test -count=1 -timeout 10m ./...
	cd $(ENGINE) && $(GO) test -race -count=1 -timeout 15m . ./server/

# conformance prints the engine's score on the AWS-recorded corpus (it reports, the Go test judges).
conformance:
	cd $(ENGINE) && $(GO) run ./cmd/asl conform testdata/conformance/sfn | tail -1

test: deps vet lint unit

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...
	cd $(ENGINE) && $(GO) test -run '^$$' -bench . -benchmem ./...

# build cross-compiles the single Lambda binary for provided.al2023 on arm64.
build:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bin/lambda/bootstrap ./functions/lambda

clean:
	rm -rf bin .data
