# `make demo` and `make test` set everything up on a fresh machine, then run. Nothing else is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Prism, Beam's local runner, built from the Go module proxy: Beam would fetch it from GitHub at run time.
PRISM := .cache/bin/prism
PRISM_MODULE := github.com/apache/beam/sdks/v2/go/cmd/prism@v2.77.0

# Beam's Flink job server (runner "flink"): its jars from Maven Central, checked against a committed SHA-256 lock.
FLINK_JOB_SERVER := .cache/flink-job-server/guetteur-flink-job-server.jar

# Docker Compose v2, built from the Go module proxy like Prism (Debian has only v1, no engine is needed): the tests
# check deploy/compose.yaml with `docker compose config`. v2.34.0 is the newest whose go.mod allows `go install`.
COMPOSE := .cache/docker/cli-plugins/docker-compose
COMPOSE_VERSION := v2.34.0

# Servers the tests run for real: PostgreSQL (the shared store) and Prometheus (scraping the demo), from Debian.
SYSTEM_PACKAGES := postgresql prometheus
SYSTEM_STAMP := .cache/system-packages

.PHONY: setup setup-flink system-packages demo test bench-extraction bench-seeds bench-seeds-flink bench-claims clean

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "guetteur needs Python 3.11 (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	# The machine's pip 23.2.1 cannot resolve trafilatura's lxml extras: upgrade pip first.
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

$(PRISM):
	@command -v go >/dev/null || { echo "guetteur's local runner (Prism) is built with Go: install Go 1.22+"; exit 1; }
	GOBIN=$(CURDIR)/.cache/bin go install $(PRISM_MODULE)

$(COMPOSE):
	@command -v go >/dev/null || { echo "docker compose (for the deploy tests) is built with Go: install Go 1.23+"; exit 1; }
	GOBIN=$(CURDIR)/.cache/compose-build go install \
	  -ldflags "-X github.com/docker/compose/v2/internal.Version=$(COMPOSE_VERSION)" \
	  github.com/docker/compose/v2/cmd@$(COMPOSE_VERSION)
	mkdir -p $(dir $@) && mv .cache/compose-build/cmd $@ && rmdir .cache/compose-build

$(SYSTEM_STAMP):
	@mkdir -p .cache
	@if dpkg-query -W -f='$${Status}\n' $(SYSTEM_PACKAGES) 2>/dev/null | grep -vq 'install ok installed' \
	    || [ "$$(dpkg-query -W -f='$${Status}\n' $(SYSTEM_PACKAGES) 2>/dev/null | wc -l)" -ne 2 ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	fi
	touch $@

system-packages: $(SYSTEM_STAMP)

$(FLINK_JOB_SERVER): deploy/flink/job-server/pom.xml deploy/flink/job-server/jars.sha256 | $(STAMP)
	@command -v mvn >/dev/null && command -v java >/dev/null || { echo "runner 'flink' needs Java 17 and Maven"; exit 1; }
	$(BIN)/python -m connectors.ops.flink fetch

# A standalone Flink of the job server's version, from PyPI with pinned hashes: the tests run a job on it.
FLINK_CLUSTER := .cache/flink-1.19.0/bin/start-cluster.sh
$(FLINK_CLUSTER): deploy/flink/cluster-requirements.txt | $(STAMP)
	$(BIN)/python -m connectors.ops.flink cluster

setup-flink: setup $(FLINK_JOB_SERVER) $(FLINK_CLUSTER)

setup: $(STAMP) $(PRISM)

demo: setup
	$(BIN)/guetteur demo

test: setup-flink $(SYSTEM_STAMP) $(COMPOSE)
	$(BIN)/python -m pytest

bench-extraction: setup
	$(BIN)/python -m benchmarks.extraction

bench-seeds: setup
	$(BIN)/python -m benchmarks.seeds

bench-claims: setup
	$(BIN)/python -m benchmarks.claims

bench-seeds-flink: setup-flink
	$(BIN)/python -m benchmarks.seeds --runner flink

clean:
	rm -rf $(VENV) .cache build *.egg-info .pytest_cache
