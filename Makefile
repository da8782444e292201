# Two commands matter (see README): `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
LINT  := $(GO) tool -modfile=tools/go.mod golangci-lint
PORT  ?= 8080

.PHONY: run test deps vet lint unit conformance bench build clean site site-test chromium

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

lint:
	$(LINT) run ./...

unit: deps
	$(GO) test -count=1 -timeout 10m ./...

# conformance prints the engine's score on the AWS-recorded corpus (it reports, the Go test judges).
conformance:
	$(GO) run ./cmd/asl conform ../shared/conformance/sfn | tail -1

test: deps vet lint unit site-test

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# build cross-compiles the single Lambda binary for provided.al2023 on arm64.
build:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bin/lambda/bootstrap ./functions/lambda

clean:
	rm -rf bin .data
