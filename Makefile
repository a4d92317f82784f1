# KalamDB: `make run` starts a server on the embedded default; `make test`
# runs every test (PostgreSQL 15 and psql must be installed: .ci/run does it).
GO      ?= go
BIN     := bin/kalamdb
PKGS    := ./...
# Tests that start many servers and real PostgreSQL need more than Go's default.
TESTFLAGS ?= -race -timeout 20m

.PHONY: build run test lint fuzz bench clean

build:
	$(GO) build -o $(BIN) ./cmd/kalamdb

run: build
	./$(BIN) serve

# node-postgres for the client scenario test, installed from the lock file.
NODE_PG := integration/testdata/node/node_modules/pg/package.json
$(NODE_PG): integration/testdata/node/package-lock.json
	cd integration/testdata/node && npm ci --no-audit --no-fund

test: build lint $(NODE_PG)
	$(GO) test $(TESTFLAGS) $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# Short fuzzing of every decoder; longer runs: make fuzz FUZZTIME=5m
FUZZTIME ?= 20s
fuzz:
	@for p in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -h '^func Fuzz' $$p/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "== $$p $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$p || exit 1; \
	  done; \
	done

bench: build
	$(GO) run ./integration/bench -profile full

clean:
	rm -rf bin
