# The README's two commands live here: `make demo` (the main job on the embedded issuer)
# and `make test` (every test: Swift unit tests, then the interop suite against real peers).
SWIFT ?= swift
VENV := .venv
BROKER_BIN := $(CURDIR)/.build/debug/broker

.PHONY: build demo test unit interop venv bench clean fuzz sanitize

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

# Fuzzing: every parser of outside input under libFuzzer + AddressSanitizer (Fuzz/BrokerFuzz).
# Each target runs FUZZ_RUNS executions from its corpus in Fuzz/corpus/<target>; new inputs go to a
# scratch copy, crashes to .build-fuzz/crash-*. `make test` replays the corpora (BrokerFuzzReplay).
FUZZ_RUNS ?= 1000000
FUZZ_TARGETS := ini sts-xml json jwt config plugin-response duration proxy url setting-flags gcp azure trust-policy cloud-policy
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
