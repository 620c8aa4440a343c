# The README's two commands live here: `make demo` (the main job on the embedded issuer)
# and `make test` (every test: Swift unit tests, then the interop suite against real peers).
SWIFT ?= swift
VENV := .venv
BROKER_BIN := $(CURDIR)/.build/debug/broker

.PHONY: build demo test unit interop venv bench clean

build:
	$(SWIFT) build

demo: build
	$(BROKER_BIN) idp token --audience sts.amazonaws.com --decode

venv: $(VENV)/.installed

$(VENV)/.installed: Tests/Interop/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt
	touch $@

unit:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

interop: build venv
	BROKER_BIN=$(BROKER_BIN) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/pytest -q Tests/Interop

test: unit interop

# Benchmarks measure the binary as shipped: release, Swift runtime linked statically (needs the
# wrk Debian package).
bench: venv
	$(SWIFT) build -c release --static-swift-stdlib --product broker
	bash Benchmarks/run

clean:
	rm -rf .build $(VENV)
