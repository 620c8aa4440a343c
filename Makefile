# The README's two commands live here: `make demo` (the main job on the embedded issuer)
# and `make test` (every test: Swift unit tests, then the interop suite against real peers).
SWIFT ?= swift
VENV := .venv
BROKER_BIN := $(CURDIR)/.build/debug/broker

.PHONY: build demo test unit interop venv bench clean fuzz sanitize release release-build install

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

# The release tarball too: its binary, man pages, completions and the GitHub Action are tested.
interop: build venv release
	BROKER_BIN=$(BROKER_BIN) BROKER_RELEASE=$(CURDIR)/$(RELEASE_TARBALL) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/pytest -q Tests/Interop

test: unit interop

# The binary as shipped: release, Swift runtime linked statically (it needs only libc).
release-build:
	$(SWIFT) build -c release --static-swift-stdlib --product broker

# Benchmarks measure the binary as shipped (needs the wrk Debian package).
bench: venv release-build
	bash Benchmarks/run

# dist/broker-<version>-linux-<arch>.tar.gz and dist/SHA256SUMS.
VERSION := $(shell sed -n 's/^    static let version = "\(.*\)"$$/\1/p' Sources/broker/Broker.swift)
RELEASE_TARBALL := dist/broker-$(VERSION)-linux-$(shell uname -m).tar.gz
release: release-build
	sh scripts/package-release .build/release/broker $(VERSION)

# Binary, completions and man pages where the system looks for them under PREFIX.
PREFIX ?= /usr/local
install: release-build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 -s .build/release/broker $(DESTDIR)$(PREFIX)/bin/broker
	sh scripts/completions .build/release/broker $(DESTDIR)$(PREFIX)/share
	sh scripts/man-pages .build/release/broker $(DESTDIR)$(PREFIX)/share/man/man1

clean:
	rm -rf .build $(VENV)

# Fuzzing: every parser of outside input under libFuzzer + AddressSanitizer (Fuzz/BrokerFuzz).
# Each target runs FUZZ_RUNS executions from its corpus in Fuzz/corpus/<target>; new inputs go to a
# scratch copy, crashes to .build-fuzz/crash-*. `make test` replays the corpora (BrokerFuzzReplay).
FUZZ_RUNS ?= 1000000
FUZZ_TARGETS := ini sts-xml json jwt config plugin-response duration proxy url setting-flags gcp azure trust-policy cloud-policy openbao
FUZZ_BIN := .build-fuzz/release/BrokerFuzz

fuzz:
	$(SWIFT) build -c release --scratch-path .build-fuzz --product BrokerFuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library
	@for target in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/corpus/$$target && cp -n Fuzz/corpus/$$target/* .build-fuzz/corpus/$$target/ ; \
	  echo "== $$target"; \
	  FUZZ_TARGET=$$target $(FUZZ_BIN) -runs=$(FUZZ_RUNS) -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=.build-fuzz/crash-$$target- .build-fuzz/corpus/$$target 2>&1 | grep -E "^Done|ERROR|SUMMARY|crash-" || exit 1; \
	done

# The unit tests once under ThreadSanitizer and once under AddressSanitizer with LeakSanitizer
# (own build folders); Tests/lsan.supp names the library leaks, each with its reason.
sanitize:
	$(SWIFT) build --build-tests --scratch-path .build-tsan --sanitize=thread
	$(SWIFT) test --skip-build --scratch-path .build-tsan --sanitize=thread
	$(SWIFT) build --build-tests --scratch-path .build-asan --sanitize=address
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp \
	  $(SWIFT) test --skip-build --scratch-path .build-asan --sanitize=address
