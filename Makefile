# Collection engine: loader and settlement.
#
#   make            build bin/loader and bin/settlement
#   make check      install what is missing, build with sanitizers, run unit
#                   and integration tests against a private PostgreSQL;
#                   T="28 60" runs only those integration tests (no unit
#                   tests or fuzzing unless UNIT=1 or FUZZ_SECONDS=N)
#   make check-citus  the integration tests that matter on a private Citus
#                   cluster (a coordinator and two workers, SPEC 17), Citus
#                   built from ../shared/vendor when missing; T= as above
#   make demo       run the main job end to end on a private PostgreSQL
#   make bench      measure the loader against psql \copy (N=1000000)
#   make lint       cppcheck and clang-tidy
#   make layers     check that a wrong include fails to build (make check runs it)

SAN ?= 0
ifeq ($(SAN),1)
O := build/san
BINDIR := $(O)/bin
# The programs find conf/ and schemas/ beside their bin/ (SPEC 2 v2), as
# bin/ finds them at the top: relative links, so a clone works anywhere.
TREE_LINKS := $(O)/conf $(O)/schemas
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1 -g
else
O := build/rel
BINDIR := bin
SANFLAGS :=
OPT := -O2 -g
TREE_LINKS :=
endif

CC ?= cc
# Read once, when make starts: a target that runs deps first (which may
# install these) builds through a new $(MAKE) in its recipe, never through
# a prerequisite.
PKGS := libxml-2.0 libpq zlib inih jansson libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread
# PDF statements (SPEC 15), the settlement's only: cairo, pango over
# fontconfig, libqrencode. Their headers (glib's) are system headers to
# the warnings; the loader neither includes nor links them.
PDF_PKGS := cairo-pdf pangocairo pangoft2 fontconfig libqrencode
PDF_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PDF_PKGS) 2>/dev/null))
PDF_LIBS := $(shell pkg-config --libs $(PDF_PKGS) 2>/dev/null)
WARN := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wformat=2 -Wwrite-strings
CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) $(SANFLAGS) \
	$(PKG_CFLAGS) $(EXTRA_CFLAGS)
# Each folder sees its own headers and the layers below it, nothing else:
# a settlement source that includes a loader header, or common including
# either, fails to build (checked by `make layers`). The tests see all.
INC_common := -Icommon
INC_loader := -Icommon -Iloader
INC_settlement := -Icommon -Isettlement $(PDF_CFLAGS)
INC_tests := -Icommon -Iloader -Isettlement $(PDF_CFLAGS)
# $(call folder_cflags,DIR): the flags of a source in DIR/
folder_cflags = $(CFLAGS) $(or $(INC_$(1)),$(error no include path for folder '$(1)/'))
LDFLAGS := $(SANFLAGS)

COMMON_SRC := $(sort $(wildcard common/*.c))
LOADER_SRC := $(filter-out loader/main.c,$(sort $(wildcard loader/*.c)))
SETTLE_SRC := $(filter-out settlement/main.c,$(sort $(wildcard settlement/*.c)))
TEST_SRC := $(sort $(wildcard tests/check_*.c))

obj = $(patsubst %.c,$(O)/%.o,$(1))

COMMON_LIB := $(O)/libcommon.a
LOADER_LIB := $(O)/libloader.a
SETTLE_LIB := $(O)/libsettle.a

.PHONY: all clean check check-citus unit integration demo bench lint deps fuzz pkgs layers
all: $(BINDIR)/loader $(BINDIR)/settlement $(TREE_LINKS)

$(TREE_LINKS):
	@mkdir -p $(dir $@)
	ln -sfn ../../$(notdir $@) $@

# Says what is missing instead of a compiler error about a header.
pkgs:
	@pkg-config --exists $(PKGS) $(PDF_PKGS) || { \
		echo "make: missing build libraries (pkg-config $(PKGS) $(PDF_PKGS)): run 'make deps' first" >&2; exit 1; }

$(O)/%.o: %.c | pkgs
	@mkdir -p $(dir $@)
	$(CC) $(call folder_cflags,$(firstword $(subst /, ,$<))) -MMD -MP -c $< -o $@

$(COMMON_LIB): $(call obj,$(COMMON_SRC))
	@rm -f $@
	ar rcs $@ $^
$(LOADER_LIB): $(call obj,$(LOADER_SRC))
	@rm -f $@
	ar rcs $@ $^
$(SETTLE_LIB): $(call obj,$(SETTLE_SRC))
	@rm -f $@
	ar rcs $@ $^

$(BINDIR)/loader: $(O)/loader/main.o $(LOADER_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BINDIR)/settlement: $(O)/settlement/main.o $(SETTLE_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(PDF_LIBS)

# Unit tests: every tests/check_<module>.c exports Suite *<module>_suite(void).
$(O)/tests/suites.h: $(TEST_SRC)
	@mkdir -p $(dir $@)
	sed -n 's/^Suite \*\([a-z_0-9]*\)_suite(void)$$/SUITE(\1)/p' $(TEST_SRC) > $@
$(O)/tests/unit_main.o: tests/unit_main.c $(O)/tests/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(call folder_cflags,tests) -I$(O)/tests -c $< -o $@
$(O)/tests/unit: $(O)/tests/unit_main.o $(call obj,$(TEST_SRC)) $(LOADER_LIB) $(SETTLE_LIB) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(PDF_LIBS) $(shell pkg-config --libs check)

deps:
	@scripts/deps.sh

# The test command of the README and of CI.
check: deps
	$(MAKE) SAN=1 all $(O:build/rel=build/san)/tests/unit layers
	@T='$(T)' scripts/check.sh

# SPEC 17: Citus is built and installed first when missing (it must be:
# this target has nothing to run without it).
check-citus: deps
	@scripts/citus-build.sh
	$(MAKE) SAN=1 all
	@CITUS=1 T='$(T)' scripts/check.sh

unit: deps
	$(MAKE) SAN=1 build/san/tests/unit
	CK_FORK=yes build/san/tests/unit

demo: deps
	$(MAKE) all
	@scripts/demo.sh

bench: deps
	$(MAKE) all
	@scripts/bench.sh $(N)

fuzz: deps
	@scripts/fuzz.sh $(or $(FUZZ_SECONDS),60)

# DIR:HEADER:build must compile as if in DIR/, DIR:HEADER:fail must fail
# because HEADER is not found there (tests/layer_probe.sh); the ones that
# build show that the probe itself works.
LAYER_PROBES := common:err.h:build common:validate.h:fail common:batch.h:fail \
	common:settle.h:fail common:booking.h:fail \
	loader:err.h:build loader:validate.h:build loader:settle.h:fail loader:statement.h:fail \
	settlement:err.h:build settlement:settle.h:build settlement:validate.h:fail \
	settlement:batch.h:fail settlement:record.h:fail
probe_dir = $(firstword $(subst :, ,$(1)))
layers: | pkgs
	@$(foreach p,$(LAYER_PROBES),tests/layer_probe.sh $(O)/layers $(subst :, ,$(p)) \
		$(CC) $(call folder_cflags,$(call probe_dir,$(p))) && ) \
	echo "layers: $(words $(LAYER_PROBES)) include probes as expected"

# Each folder with its own include path, as it is built.
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 $(INC_common) common
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 $(INC_loader) loader
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 $(INC_settlement) settlement
	clang-tidy-14 --quiet $(COMMON_SRC) -- $(call folder_cflags,common)
	clang-tidy-14 --quiet $(LOADER_SRC) -- $(call folder_cflags,loader)
	clang-tidy-14 --quiet $(SETTLE_SRC) -- $(call folder_cflags,settlement)

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
