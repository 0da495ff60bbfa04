# Every target wraps an npm script (see package.json); `make help` lists them.
SHELL := /bin/bash
NPM ?= npm
LASUITECTL := node operator/bin/lasuitectl.js

.DEFAULT_GOAL := help
.PHONY: help deps build typecheck lint format generate check-generated test test-unit test-integration testbed-build testbed-up testbed-down run compose-dev certs clean

# Installs dependencies when the lockfile or a workspace manifest changes.
node_modules/.package-lock.json: package.json package-lock.json $(wildcard operator/package.json services/*/package.json)
	$(NPM) ci

deps: node_modules/.package-lock.json ## Install dependencies (npm ci)

build: deps ## Compile TypeScript to operator/dist
	$(NPM) run build

typecheck: deps ## Type-check every workspace, tests included
	$(NPM) run typecheck

lint: deps ## ESLint (typed rules) and Prettier check
	$(NPM) run lint

format: deps ## Apply Prettier and ESLint fixes
	$(NPM) run format

generate: deps ## Regenerate CRDs, their copies, docs/api.md and the API types from operator/src/api
	$(NPM) run generate

check-generated: deps ## Fail if a generated file is stale
	$(NPM) run check:generated

test: deps ## The full test run: lint, type-check, unit tests, test-bed build, integration tests
	$(NPM) test

test-unit: deps ## Unit tests only (no server)
	$(NPM) run test:unit

test-integration: deps testbed-build ## Tests against the real test-bed servers
	$(NPM) run test:integration

testbed-build: ## Build or install every test-bed server that is missing (cached in ~/.cache/lasuite-operator)
	$(NPM) run testbed:build

testbed-up: deps testbed-build ## Start the whole test bed for interactive use; writes .testbed/env
	$(NPM) run testbed:up

testbed-down: deps ## Stop everything testbed-up started
	$(NPM) run testbed:down

run: deps ## The main job: the operator on your cluster (or a local control plane), with examples/production applied
	$(NPM) run operator:run $(if $(FOR),-- --for $(FOR))

compose-dev: build ## Render examples/compose/dev into the repository root (compose.yaml, compose/, .env)
	$(LASUITECTL) compose examples/compose/dev -o .

certs: ## Dev TLS: mkcert certificate for compose/hosts into certs/ (DIR=, MKCERT_INSTALL=no)
	bash hack/certs.sh $(if $(DIR),"$(DIR)")

clean: ## Remove build outputs
	rm -rf operator/dist services/*/dist services/smb-mount/build out coverage

help: ## List targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'
