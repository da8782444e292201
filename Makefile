# Two commands matter (see README): `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
LINT  := $(GO) tool -modfile=tools/go.mod golangci-lint
PORT  ?= 8080
# The engine is its own Go module: the product's ./... does not reach it.
ENGINE := statemachines/engine
ELINT  := $(GO) tool -modfile=$(CURDIR)/tools/go.mod golangci-lint run --config $(CURDIR)/.golangci.yml

.PHONY: run test deps vet lint unit race readme-commands conformance bench build clean synth cdk-test cdk-lint site site-test chromium

# deps installs what the project needs from the package registries; it is idempotent and fast when
# nothing changed (npm ci only when the lockfile is newer than the installed tree).
deps: node_modules/.package-lock.json frontend/node_modules/.package-lock.json chromium

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The site's browser tests drive Debian's Chromium (Playwright's own download cannot work here).
chromium:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	@touch $@

# site builds the web site into frontend/dist (never committed) when a source changed; the build
# fails over the bundle budget.
SITE_SRC := $(shell find frontend/src frontend/public -type f ! -name schema.gen.ts 2>/dev/null) frontend/index.html \
	frontend/vite.config.ts frontend/tsconfig.json frontend/scripts/budget.ts api/openapi.yaml
site: frontend/dist/index.html
frontend/dist/index.html: frontend/node_modules/.package-lock.json $(SITE_SRC)
	npm run --prefix frontend build

# site-test: component tests (Vitest, jsdom), then the browser suite in headless Chromium against
# bin/vehicled, which the suite starts on a free port with a throwaway cache and stops.
site-test: deps site
	npm run --prefix frontend test
	$(GO) build -o bin/vehicled ./cmd/vehicled
	npm run --prefix frontend e2e

run: deps site
	$(GO) build -o bin/vehicled ./cmd/vehicled
	PORT=$(PORT) ./bin/vehicled

vet:
	$(GO) vet ./...
	cd $(ENGINE) && $(GO) vet ./...

# --allow-parallel-runners: on a machine shared by several checkouts, run alongside another
# checkout's golangci-lint instead of failing on its lock.
lint:
	$(LINT) run --allow-parallel-runners ./...
	cd $(ENGINE) && $(ELINT) --allow-parallel-runners ./...

unit: deps
	$(GOTEST) -count=1 -timeout 10m ./...
	cd $(ENGINE) && $(GOTEST) -count=1 -timeout 10m ./...

# race runs the race detector on the packages that start goroutines or share state between them
# (singleflight and leases, breakers, key-set refresh, the stack's servers, the simulators; the
# engine's Map, Parallel and API server).
RACE_PKGS := ./internal/dynamo/... ./internal/oidc/... ./internal/telemetry/... ./internal/wiring/... \
	./internal/local/... ./functions/fetchsource/... ./legacyclients/transport/... ./legacyclients/sim/...
race: deps
	CGO_ENABLED=1 $(GO) test -race -short -count=1 -timeout 15m $(RACE_PKGS)
	cd $(ENGINE) && CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 15m . ./server/

# conformance prints the engine's score on the AWS-recorded corpus (it reports, the Go test judges).
conformance:
	cd $(ENGINE) && $(GO) run ./cmd/asl conform testdata/conformance/sfn | tail -1

test: deps vet lint unit race readme-commands workflow-check acceptance-http cdk-test site-test

# readme-commands runs every command of the README's tables (internal/readmetest), alone, so that
# its benchmarks do not share the machine with other packages' tests.
readme-commands: deps
	README_COMMANDS=1 $(GOTEST) -count=1 -timeout 20m ./internal/readmetest/

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...
	cd $(ENGINE) && $(GO) test -run '^$$' -bench . -benchmem ./...

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

# --- delivery pipeline (.github/, see README "Release") ---
# GOTEST runs Go tests; CI swaps in .github/scripts/gotest-junit.sh to get JUnit XML reports.
GOTEST ?= $(GO) test
# The ASL validator: cmd/asl of the engine, wherever the engine module lives.
ASL ?= $(if $(wildcard statemachines/engine/go.mod),$(GO) -C statemachines/engine run ./cmd/asl,$(GO) run ./cmd/asl)
ACCEPTANCE_PORT ?= 18080
# The package whose features/ folder holds the Gherkin scenarios, wherever the local stack lives.
ACCEPTANCE_PKG ?= ./$(patsubst %/features/,%,$(dir $(firstword $(shell find internal -path '*/features/*.feature' | sort))))

.PHONY: actionlint workflow-check validate-asl acceptance acceptance-http hooks

# actionlint checks run: scripts with shellcheck when it is installed, as on GitHub's runners.
actionlint:
	@command -v shellcheck >/dev/null || echo "actionlint: no shellcheck here (apt-get install -y shellcheck); CI also checks the run: scripts"
	$(GO) tool -modfile=tools/go.mod actionlint

# workflow-check: actionlint, and the tests of the pipeline's Go code (tools/), including the one
# that fails when a workflow calls a make target, script or path that does not exist.
workflow-check: actionlint
	$(GO) -C tools vet ./...
	cd tools && $(GO) tool golangci-lint run --allow-serial-runners ./...
	cd tools && $(GOTEST) -count=1 ./...

validate-asl:
	@for f in statemachines/*.asl.json; do $(ASL) validate $(CURDIR)/$$f || exit 1; done

# acceptance runs the Gherkin suite in-process, or over HTTP against ACCEPTANCE_BASE_URL when set.
acceptance: deps
	$(GOTEST) -count=1 -run '^TestAcceptance$$' $(ACCEPTANCE_PKG)

# acceptance-http proves the suite runs against a deployment: it starts bin/vehicled and runs the
# suite over HTTP against it, as the deploy workflow does against dev.
acceptance-http: deps
	$(GO) build -o bin/vehicled ./cmd/vehicled
	@set -eu; log=$$(mktemp); \
	PORT=$(ACCEPTANCE_PORT) ./bin/vehicled >"$$log" 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -f "$$log"' EXIT; \
	until curl -fs -o /dev/null http://127.0.0.1:$(ACCEPTANCE_PORT)/api/healthz; do \
		if ! kill -0 $$pid 2>/dev/null; then cat "$$log"; exit 1; fi; sleep 0.5; \
	done; \
	ACCEPTANCE_BASE_URL=http://127.0.0.1:$(ACCEPTANCE_PORT) $(MAKE) --no-print-directory acceptance

# hooks installs the pre-commit hooks of lefthook.yml (gofmt, vet, gitleaks on the staged diff).
hooks:
	$(GO) tool -modfile=tools/go.mod lefthook install
