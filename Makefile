# kizuki — build, test, demo, bench, install.
#
#   make demo     install deps, build, generate the demo city, run the nightly batch
#   make test     install deps, build from scratch, run every test
#   make check-asan   the whole suite under AddressSanitizer + UBSan
#   make check-tsan   the prefetch thread under ThreadSanitizer
#   make po       re-extract the messages (po/kizuki.pot) and merge them into po/*.po

PKGS     := lua5.4 sqlite3 yaml-0.1
CC       ?= cc
BUILD    ?= build
OPT      ?= -O2
SAN      ?=
CFLAGS   += -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(OPT) -g \
            -pthread -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter $(SAN)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

ENGINE_SRC := $(filter-out engine/main.c,$(wildcard engine/*.c))
ENGINE_OBJ := $(patsubst engine/%.c,$(BUILD)/obj/%.o,$(ENGINE_SRC)) $(BUILD)/obj/embedded.o
EMBEDDED   := engine/kz.lua schema/cases.sql schema/tasks.sql
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
KIZUKI     := $(BUILD)/kizuki

# Message catalogues (GNU gettext, domain kizuki): po/LANG.po is compiled to
# $(BUILD)/locale/LANG/LC_MESSAGES/kizuki.mo, which a kizuki run from the
# build tree finds beside itself; `make install` puts it in $(LOCALEDIR),
# compiled into the binary (engine/main.c; $KIZUKI_LOCALEDIR overrides).
PREFIX    ?= /usr/local
LOCALEDIR ?= $(PREFIX)/share/locale
PO_LANGS  := $(patsubst po/%.po,%,$(wildcard po/*.po))
MO_FILES  := $(foreach l,$(PO_LANGS),$(BUILD)/locale/$(l)/LC_MESSAGES/kizuki.mo)

# The demo city (tools/demo.sh): DEMO_NIGHTS nightly runs, one a day, the
# first on DEMO_AS_OF. The README's examples are made from it (tools/readme.sh).
DEMO_HOUSEHOLDS ?= 20000
DEMO_SEED       ?= 2019
DEMO_AS_OF      ?= 2024-10-01
DEMO_NIGHTS     ?= 3

FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRC))
YAML_SUITE ?= $(or $(KZ_YAML_SUITE),../shared/data/yaml-test-suite)
FUZZ_SECONDS ?= 60
# Seed corpora of each fuzzer (besides tests/fuzz/seeds/<name>).
SEEDS_fuzz_date    :=
# (A missing one fails the replay under CI=true; tests/fuzz/driver.c.)
SEEDS_fuzz_profile := rules $(YAML_SUITE)
SEEDS_fuzz_fixture := fixtures $(YAML_SUITE)

.PHONY: all deps test-deps test unit e2e fixtures demo check-asan check-tsan clean bench install docs fuzz fuzz-replay po
all: $(KIZUKI) $(MO_FILES)

deps:
	@sh tools/deps.sh

# What the tests need besides the build (valgrind, chromium and a CJK font,
# the YAML test suite): under CI=true a test that lacks one fails.
test-deps:
	@KZ_YAML_SUITE=$(YAML_SUITE) sh tools/deps.sh test

$(BUILD)/obj/%.o: engine/%.c engine/*.h | $(BUILD)/obj
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Iengine -c $< -o $@

# The kizuki Lua library and the schemas are compiled into the binary.
$(BUILD)/embedded.c: $(EMBEDDED) | $(BUILD)/obj
	for f in $(EMBEDDED); do xxd -i $$f; done \
	  | sed 's/^unsigned/const unsigned/; s/^};$$/, 0x00 };/' > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/embedded.o: $(BUILD)/embedded.c
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libkizuki.a: $(ENGINE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(KIZUKI): engine/main.c $(BUILD)/libkizuki.a $(BUILD)/localedir | $(MO_FILES)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Iengine -DKZ_LOCALEDIR='"$(LOCALEDIR)"' $< $(BUILD)/libkizuki.a $(PKG_LIBS) -o $@

# The catalogue folder compiled into the binary: kizuki is relinked when
# LOCALEDIR (or PREFIX) changes, so `make install PREFIX=...` is never stale.
$(BUILD)/localedir: FORCE | $(BUILD)/obj
	@echo '$(LOCALEDIR)' | cmp -s - $@ || echo '$(LOCALEDIR)' > $@
.PHONY: FORCE
FORCE:

# msgfmt --check: a format string whose translation does not take the same
# arguments fails the build.
$(BUILD)/locale/%/LC_MESSAGES/kizuki.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@.tmp $< && mv $@.tmp $@

# Every _("...") and N_("...") in engine/*.c, and the format of every
# kz_diag_add, kz_yaml_error and loader error (translated where they format),
# into po/kizuki.pot, merged into
# each po/LANG.po (new messages come in untranslated; tests/e2e/i18n.sh
# fails until they are translated). File-only locations, sorted output and
# no creation date keep the diffs (and merges) small.
# The extraction options (keywords: the functions that translate their
# format) live in po/xgettext.opts, which tests/e2e/i18n.sh reads too.
XGETTEXT_FLAGS = $(shell cat po/xgettext.opts)
po:
	xgettext $(XGETTEXT_FLAGS) -o po/kizuki.pot engine/*.c
	@sed -i '/^"POT-Creation-Date:/d' po/kizuki.pot
	@set -e; for l in $(PO_LANGS); do \
	  msgmerge --quiet --update --backup=none --add-location=file --sort-output po/$$l.po po/kizuki.pot; \
	  echo "po/$$l.po: $$(msgfmt --statistics -o /dev/null po/$$l.po 2>&1)"; done

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkizuki.a | $(BUILD)/tests
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Iengine $< $(BUILD)/libkizuki.a $(PKG_LIBS) $(CMOCKA_LIBS) -o $@

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

# Every test: cmocka units, rule fixtures, every fuzz seed and kept crashing
# input replayed through its harness, and the end-to-end scripts (last:
# tests/e2e/ci_rule.sh runs the unit and fuzz binaries).
test: test-deps
	$(MAKE) --no-print-directory clean
	$(MAKE) --no-print-directory unit fixtures fuzz-replay e2e

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; KZ_YAML_SUITE=$(YAML_SUITE) ./$$t; done

fixtures: $(KIZUKI)
	./$(KIZUKI) test fixtures/

e2e: $(KIZUKI) $(MO_FILES)
	@set -e; for t in tests/e2e/*.sh; do echo "== $$t"; \
	  KIZUKI=$(abspath $(KIZUKI)) $(if $(CRASH_HOUSEHOLDS),CRASH_HOUSEHOLDS=$(CRASH_HOUSEHOLDS)) sh $$t; done

check-asan: test-deps
	$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  unit fixtures fuzz-replay e2e

# The one place two threads meet is the prefetch ring (engine/prefetch.c):
# its unit tests, the kept-view tests, every fixture and a nightly run and
# the next one over a generated city, all under ThreadSanitizer.
TSAN_BUILD := build-tsan
check-tsan: deps
	$(MAKE) --no-print-directory BUILD=$(TSAN_BUILD) OPT=-O1 \
	  SAN="-fsanitize=thread -fno-omit-frame-pointer" \
	  $(TSAN_BUILD)/kizuki $(TSAN_BUILD)/tests/test_prefetch $(TSAN_BUILD)/tests/test_sandbox
	@set -e; export TSAN_OPTIONS="halt_on_error=1 exitcode=66"; \
	  ./$(TSAN_BUILD)/tests/test_prefetch; ./$(TSAN_BUILD)/tests/test_sandbox; \
	  ./$(TSAN_BUILD)/kizuki test fixtures/; \
	  ./$(TSAN_BUILD)/kizuki gen --households 3000 --seed 7 --out $(TSAN_BUILD)/city.db --force --quiet; \
	  rm -f $(TSAN_BUILD)/tasks.db; \
	  ./$(TSAN_BUILD)/kizuki run --cases $(TSAN_BUILD)/city.db --tasks $(TSAN_BUILD)/tasks.db --as-of 2024-10-01 --quiet >/dev/null; \
	  ./$(TSAN_BUILD)/kizuki run --cases $(TSAN_BUILD)/city.db --tasks $(TSAN_BUILD)/tasks.db --as-of 2024-10-02 --quiet >/dev/null; \
	  echo "check-tsan: no data race"

# Fuzz harnesses, replayed without libFuzzer (tests/fuzz/driver.c).
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c $(BUILD)/libkizuki.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Iengine $< tests/fuzz/driver.c $(BUILD)/libkizuki.a $(PKG_LIBS) -o $@

fuzz-replay: $(addprefix $(BUILD)/fuzz/,$(FUZZ_NAMES))
	@set -e; $(foreach f,$(FUZZ_NAMES),./$(BUILD)/fuzz/$(f) tests/fuzz/seeds/$(f) tests/fuzz/regressions/$(f) $(SEEDS_$(f));)

# libFuzzer runs (clang): each harness for FUZZ_SECONDS; new crashes are
# written to build-fuzz/<name>/ — keep each one in tests/fuzz/regressions/.
fuzz:
	@KZ_EXTRA_PKGS="clang libclang-rt-14-dev" sh tools/deps.sh
	$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT=-O1 \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" build-fuzz/libkizuki.a
	@set -e; $(foreach f,$(FUZZ_NAMES), \
	  mkdir -p build-fuzz/$(f)/corpus; \
	  clang -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -O1 -g \
	    -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer $(PKG_CFLAGS) -Iengine \
	    tests/fuzz/$(f).c build-fuzz/libkizuki.a $(PKG_LIBS) -o build-fuzz/$(f)/$(f); \
	  echo "== fuzz $(f) for $(FUZZ_SECONDS)s"; \
	  (cd build-fuzz/$(f) && ./$(f) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	     -print_final_stats=1 corpus $(foreach d,$(wildcard tests/fuzz/seeds/$(f) tests/fuzz/regressions/$(f) $(SEEDS_$(f))),$(abspath $(d))) \
	     > log 2>&1) || { tail -n 40 build-fuzz/$(f)/log; echo "fuzz $(f) found a crash: keep it in tests/fuzz/regressions/$(f)/"; exit 1; }; \
	  grep -E "stat::number_of_executed_units|Done [0-9]+ runs" build-fuzz/$(f)/log;)

demo: deps $(KIZUKI)
	DEMO_HOUSEHOLDS=$(DEMO_HOUSEHOLDS) DEMO_SEED=$(DEMO_SEED) DEMO_AS_OF=$(DEMO_AS_OF) \
	  DEMO_NIGHTS=$(DEMO_NIGHTS) sh tools/demo.sh ./$(KIZUKI) demo
	@echo
	@echo "demo: $(DEMO_NIGHTS) nights from $(DEMO_AS_OF); case DB demo/city.db, task DB demo/tasks.db, report demo/report/index.html"
	@echo "demo: try ./$(KIZUKI) tasks --tasks demo/tasks.db | head, or ./$(KIZUKI) explain 1 --tasks demo/tasks.db"

# Benchmarks (not tests): a Sapporo-size and a ten-times city, floor vs run.
$(BUILD)/bench/floor: bench/floor.c $(BUILD)/libkizuki.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Iengine $< $(BUILD)/libkizuki.a $(PKG_LIBS) -o $@

bench:
	@KZ_EXTRA_PKGS="time" sh tools/deps.sh
	$(MAKE) --no-print-directory $(KIZUKI) $(BUILD)/bench/floor
	KIZUKI=$(KIZUKI) FLOOR=$(BUILD)/bench/floor sh tools/bench.sh

# docs/rules.md is generated from the loaded rules (a test fails when stale).
docs: $(KIZUKI)
	./$(KIZUKI) rules --format markdown > docs/rules.md
	KIZUKI=$(KIZUKI) sh tools/vocab_doc.sh

# Install for the nightly batch (README "Running nightly"): the binary, the
# rules and profile, the schemas, the man page, the message catalogues. The rules folder is kizuki's
# own: a rule file removed from rules/ is removed there too, never left to run.
# An installed kizuki finds PREFIX/share/kizuki/rules beside its bin/ when
# neither --rules, KIZUKI_RULES nor ./rules says otherwise (engine/cli.c);
# tests/e2e/install.sh installs into a scratch PREFIX and DESTDIR.
DESTDIR ?=
install: $(KIZUKI) $(MO_FILES)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kizuki/rules \
	  $(DESTDIR)$(PREFIX)/share/kizuki/schema $(DESTDIR)$(PREFIX)/share/man/man1
	@set -e; for l in $(PO_LANGS); do \
	  install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
	  install -m 644 $(BUILD)/locale/$$l/LC_MESSAGES/kizuki.mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/kizuki.mo; done
	install -m 755 $(KIZUKI) $(DESTDIR)$(PREFIX)/bin/kizuki
	rm -f $(DESTDIR)$(PREFIX)/share/kizuki/rules/*.lua
	install -m 644 $(wildcard rules/*.lua) rules/kizuki.yaml $(DESTDIR)$(PREFIX)/share/kizuki/rules/
	install -m 644 $(wildcard schema/*.sql) $(DESTDIR)$(PREFIX)/share/kizuki/schema/
	install -m 644 docs/kizuki.1 $(DESTDIR)$(PREFIX)/share/man/man1/kizuki.1

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
