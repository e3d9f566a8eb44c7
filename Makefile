# ankommen — make targets. `make test` is what CI runs (.ci/run).
GO ?= go
export CGO_ENABLED ?= 0

.PHONY: test deps vet unit unit-postgres replicas bench-replicas check lint run fuzz bench eval i18n i18n-merge

test: deps vet unit check ## everything CI checks

deps: ## install what the tests need (Chromium for the staff page's browser test)
	@./scripts/install-test-deps.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)

# The race detector runs on every package that starts goroutines of its own. The
# models, their quality tests and the commands that load them (single-threaded
# numerics, ten times slower under -race) run without it.
PLAIN = internal/(assistant|emergency|search|langdetect|content|cli|backlog)$$

# The tests with several serve processes (REPLICAS) run after the others, alone:
# they judge timing (send limits, duplicates at a kill) from the fake Bot API's log,
# which other test binaries on the same two cores would distort.
REPLICAS = TestReplicasWebhookKill9|TestPollingFailover|TestReplicasDatabaseFaults

unit:
	CGO_ENABLED=1 $(GO) test -race -count=1 -skip '^($(REPLICAS))$$' $$($(GO) list ./... | grep -v -E '$(PLAIN)')
	$(GO) test -count=1 $$($(GO) list ./... | grep -E '$(PLAIN)')
	@$(MAKE) --no-print-directory unit-postgres
	@$(MAKE) --no-print-directory replicas

# Three serve replicas on one PostgreSQL database (cmd/ankommen): webhook behind a
# proxy with kill -9, polling failover, database faults. About a minute.
replicas:
	CGO_ENABLED=1 $(GO) test -race -count=1 -run '^($(REPLICAS))$$' ./cmd/ankommen

# Updates a second, p50/p99 and memory of SQLite ×1, PostgreSQL ×1 and ×3 (docs/deploy.md).
bench-replicas:
	$(GO) test -run '^$$' -bench BenchmarkReplicas -benchtime 1x ./cmd/ankommen

# The end-to-end tests once more on PostgreSQL (apptest.OpenStore): the conversation
# against the fake Bot API, and the staff page in Chromium. The stores themselves
# run the conformance suite (store/storetest) on both in every `make unit`.
unit-postgres:
	ANKOMMEN_TEST_STORE=postgres CGO_ENABLED=1 $(GO) test -race -count=1 ./internal/conversation
	ANKOMMEN_TEST_STORE=postgres $(GO) test -count=1 -run 'TestStaffPageInBrowser' ./internal/cli

check: ## validate the shipped content and locales
	$(GO) run ./cmd/ankommen check

lint: vet

run:
	$(GO) run ./cmd/ankommen serve

fuzz: ## run each fuzz target for a while
	$(GO) test -run xxx -fuzz FuzzParseTopic -fuzztime 60s ./internal/content
	$(GO) test -run xxx -fuzz FuzzAnswer -fuzztime 60s ./internal/assistant

bench:
	$(GO) test -run xxx -bench . -benchmem ./internal/search ./internal/assistant ./internal/langdetect ./internal/app ./internal/backlog

eval:
	$(GO) run ./cmd/ankommen eval ../shared/eval/dev.jsonl

# Translators' workflow (German is the source language, locales/active.de.toml):
#   make i18n        writes locales/translate.<lang>.toml with every message that is
#                    missing or whose German text changed, German text inside (and
#                    translate.staff.en.toml for the staff page); it changes no other file.
#                    To add a language, first create an empty locales/active.<lang>.toml.
#   (translate the "other"/"one"/… values in those files)
#   make i18n-merge  puts the translations into active.<lang>.toml — only those
#                    messages' lines change; order and comments stay — removes the
#                    translate files and runs check (coverage table).
i18n:
	$(GO) run ./cmd/ankommen i18n --locales locales

i18n-merge:
	$(GO) run ./cmd/ankommen i18n merge --locales locales
	$(GO) run ./cmd/ankommen check
