# Two commands matter (see README): `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
LINT  := $(GO) tool -modfile=tools/go.mod golangci-lint
PORT  ?= 8080

.PHONY: run test deps vet lint unit conformance bench build clean synth cdk-test cdk-lint

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

lint:
	$(LINT) run ./...

unit: deps
	$(GO) test -count=1 -timeout 10m ./...

# conformance prints the engine's score on the AWS-recorded corpus (it reports, the Go test judges).
conformance:
	$(GO) run ./cmd/asl conform ../shared/conformance/sfn | tail -1

test: deps vet lint unit cdk-test

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# build cross-compiles the single Lambda binary for provided.al2023 on arm64.
build:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bin/lambda/bootstrap ./functions/lambda

clean:
	rm -rf bin .data cdk/cdk.out

# --- CDK (cdk/, its own Go module) -----------------------------------------------------------
# synth writes cdk/cdk.out for dev, qa and prod (offline, no credentials), with CloudFormation
# schema validation and cdk-nag on; it reruns only when an input changed. cdk-test runs the
# assertion tests (go test's cache keeps a warm run quick) and the synth.
CDK_ENV   := JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
PRODUCT_SRC := $(shell git ls-files -- '*.go' go.mod go.sum ':!:cdk' ':!:statemachines/engine' 2>/dev/null)
CDK_SRC   := $(shell git ls-files -co --exclude-standard -- cdk ':!:cdk/node_modules' ':!:cdk/cdk.out' 2>/dev/null) \
             $(wildcard statemachines/*.asl.json config/features/*.json) api/openapi.yaml frontend/security-headers.json \
             $(wildcard frontend/dist/index.html)

cdk/node_modules/.package-lock.json: cdk/package.json cdk/package-lock.json
	cd cdk && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

bin/lambda/bootstrap: $(PRODUCT_SRC)
	$(MAKE) build

cdk/cdk.out/manifest.json: bin/lambda/bootstrap $(PRODUCT_SRC) $(CDK_SRC) cdk/node_modules/.package-lock.json
	rm -rf cdk/cdk.out
	cd cdk && CDK_VALIDATION=true $(CDK_ENV) npx cdk synth --quiet -o cdk.out

synth: cdk/cdk.out/manifest.json

cdk-test: cdk/node_modules/.package-lock.json synth
	cd cdk && $(CDK_ENV) $(GO) test ./...

# cdk-lint lints the CDK module with the product's configuration (it is not under ./... of the
# root module).
cdk-lint:
	cd cdk && $(GO) tool -modfile=../tools/go.mod golangci-lint run --config ../.golangci.yml ./...
