# soaptape — record/replay contract testing for SOAP services.
PREFIX ?= /usr/local
SWIFT ?= swift
FIXTURES := Tests/Fixtures/envelopes
BIN := .build/debug/soaptape

.PHONY: all build test interop verify verify-shards warnings demo bench fuzz soak install deps clean

all: build

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build

test: deps
	@scripts/ensure-deps.sh openssl python3-venv chromium php-soap soap-lite
	$(SWIFT) test

# The WSDL interop matrix: every operation of every committed WSDL through stacks generated from it (gSOAP, JAX-WS)
# and ones that type every element (SOAP::Lite), beside zeep and PHP; about 15 minutes on 2 cores (docs/interop.md).
interop: build
	@scripts/ensure-deps.sh python3-venv php-soap gsoap jaxws java soap-lite
	@scripts/interop.sh $(BIN)

verify: build
	$(BIN) verify --specs specs --require-spec cassettes --junit .build/verify-junit.xml

# The committed cassettes verified as 3 CI shards and merged: the JUnit must equal one unsharded run's.
verify-shards: build
	@scripts/verify-shards.sh $(BIN) 3

# Fails on any compiler warning from our own sources (meaningful on a clean build, as CI's).
warnings: deps
	@scripts/check-warnings.sh

demo: build
	@scripts/demo.sh $(BIN)

fuzz: deps
	@scripts/fuzz.sh

bench: deps
	@Benchmarks/run.sh

soak: deps
	@scripts/ensure-deps.sh nginx wrk
	$(SWIFT) build -c release --product soaptape
	@mkdir -p bench-output/soak
	cd Benchmarks && python3 soak.py ../bench-output/soak ../.build/release/soaptape

install: deps
	$(SWIFT) build -c release --product soaptape
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 .build/release/soaptape $(DESTDIR)$(PREFIX)/bin/soaptape

clean:
	rm -rf .build
