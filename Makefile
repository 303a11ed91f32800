# selfrepair: `make demo` runs the main job on the built-in defaults,
# `make test` runs every test (Docker ones included).
GO       ?= go
BIN      := bin/selfrepair
LANGS    := python javascript go cpp java rust
export PATH := $(PATH):/usr/local/go/bin

.PHONY: all build deps deps-image image images demo test test-short fidelity fix-all bench vet clean

all: build

# Debian packages the targets need that a fresh Debian machine with Go and
# Docker lacks: mmdebstrap builds the sandbox images without a registry,
# chromium renders the HTML report in make test. Missing ones are installed
# when running as root; otherwise one line names the command and make stops.
# (Each package's command has the package's name.)
DEPS_IMAGE := mmdebstrap
DEPS_TEST  := mmdebstrap chromium git
define need
	@missing=""; for p in $(1); do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "== installing$$missing (apt-get)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null || exit 1; \
		else \
			echo "missing Debian packages:$$missing; install them with: sudo apt-get install -y$$missing" >&2; exit 1; \
		fi; \
	fi
endef

deps-image:
	$(call need,$(DEPS_IMAGE))

deps:
	$(call need,$(DEPS_TEST))

build:
	$(GO) build -o $(BIN) ./cmd/selfrepair

# The Python sandbox image, built offline from Debian packages when missing or stale.
image: deps-image build
	$(BIN) sandbox build --if-stale python

# Every language image (the hostile corpus has JavaScript and Go cases).
images: deps-image build
	$(BIN) sandbox build --if-stale $(LANGS)

# A self-repair study of all of HumanEval (3 samples per task, 5 repair rounds) against the
# built-in SIMULATED model (agent/sim, started in-process; not a real LLM), with a fixed seed:
# prints the pass rate and pass@k after each round and the run directory. Answers are cached
# (~/.cache/selfrepair/responses), so running it again asks the simulator nothing.
DEMO_RUN := runs/demo
demo: image
	rm -rf $(DEMO_RUN)
	$(BIN) study --sim --dataset humaneval --samples 3 --rounds 5 --feedback traceback --seed 1 --out $(DEMO_RUN)

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt needed"; exit 1; }

# The hostile corpus runs last and alone: its invariants are measured on the
# host (memory, processes, disk), which other tests running beside it would
# disturb.
test: deps images vet
	$(GO) test -count=1 -timeout 15m -skip '^(TestHostileCorpus|TestCorpusModes)$$' ./...
	$(GO) test -count=1 -timeout 10m -run '^(TestHostileCorpus|TestCorpusModes)$$' ./sandbox

# The fidelity test on all of it: every HumanEval, MBPP (full and sanitized) and
# HumanEval+ task with 20 mutants, judged and run plainly (make test runs the
# probes and a tenth of the tasks).
fidelity: deps images
	SELFREPAIR_FIDELITY=all $(GO) test -count=1 -timeout 60m -run '^TestFidelity' -v ./languages/python

test-short:
	$(GO) test -short -count=1 ./...

# Every HumanEvalFix task in every language and every QuixBugs program,
# fixed by `fix` against the simulator (make test fixes a sample).
# make fix-all FIX=quixbugs/java,humanevalfix/go: only those sets' languages.
FIX ?= 1
fix-all: deps images
	SELFREPAIR_FIX_ALL=$(FIX) $(GO) test -count=1 -timeout 600m -run '^TestBugs$$' -v ./agent/fix

# The host's pytest is the baseline of repository mode's round overhead.
bench: images
	@/usr/bin/python3 -c 'import pytest' 2>/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq python3-pytest >/dev/null; else echo "missing Debian packages: python3-pytest; install them with: sudo apt-get install -y python3-pytest" >&2; exit 1; fi; }
	$(GO) run ./cmd/bench -rounds 3 -data-dir ../shared/datasets
	$(GO) test -run '^$$' -bench . -benchtime 5x ./reports

clean:
	rm -rf bin
