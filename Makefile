# ankommen — make targets. `make test` is what CI runs (.ci/run).
GO ?= go
export CGO_ENABLED ?= 0

.PHONY: test deps vet unit check lint run fuzz bench i18n

test: deps vet unit check ## everything CI checks

deps: ## install what the tests need (Chromium for the staff page's browser test)
	@./scripts/install-test-deps.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)

unit:
	CGO_ENABLED=1 $(GO) test -race -count=1 ./...

check: ## validate the shipped content and locales
	$(GO) run ./cmd/ankommen check

lint: vet

run:
	$(GO) run ./cmd/ankommen serve

fuzz: ## run each fuzz target for a while
	$(GO) test -run xxx -fuzz FuzzParseTopic -fuzztime 60s ./internal/content
	$(GO) test -run xxx -fuzz FuzzAnswer -fuzztime 60s ./internal/assistant

bench:
	$(GO) test -run xxx -bench . -benchmem ./internal/search ./internal/assistant ./internal/langdetect

eval:
	$(GO) run ./cmd/ankommen eval ../shared/eval/dev.jsonl
