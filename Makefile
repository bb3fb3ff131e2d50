# kplan — build, test and install.  See README.md.
#   make            build the library and the tools (build/bin)
#   make check      install missing dependencies, build, run every test suite
#   make run        install missing dependencies, build, run the pipeline on the sample
#   make SANITIZE=1 build with ASan+UBSan into build-san/ (also: make check SANITIZE=1)

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc

ifeq ($(SANITIZE),1)
BUILD := build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1
else
BUILD := build
SAN_FLAGS :=
OPT := -O2
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wwrite-strings -Wvla -Wformat=2 -Wpointer-arith -Wcast-qual -Wundef
PKGS := libxml-2.0 jansson libcurl libcrypto libpcre2-8 libzip
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DKPLAN_VERSION='"$(VERSION)"' \
	-DKPLAN_DATADIR='"$(PREFIX)/share/kplan"'
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=c11 $(WARN) $(SAN_FLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP
LDLIBS_ALL = -lcsv $(PKG_LIBS) -lm
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

LIB_SRC := $(sort $(wildcard src/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libkplan.a

TOOLS := kplan-import kplan-validate kplan-describe kplan-export kplan-upload
TOOL_BIN := $(TOOLS:%=$(BUILD)/bin/%)
CLI_OBJ := $(BUILD)/cmd/cli.o

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

all: $(TOOL_BIN)

# V=1 shows the full commands.
Q := $(if $(filter 1,$(V)),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(CLI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(CLI_OBJ) $(LIB) $(LDLIBS_ALL)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) -lcmocka $(LDLIBS_ALL)

# Dependencies are Debian packages; ci/deps.sh installs what is missing.
deps:
	@ci/deps.sh build

test-deps:
	@ci/deps.sh test

# Fault injection for integration tests (LD_PRELOAD; built without sanitizers).
FAULT_LIB := $(BUILD)/tests/libkpfault.so
$(FAULT_LIB): tests/faults/fault.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -shared -fPIC -O1 -Wall -Wextra -Werror -o $@ $< -ldl

tests: $(UNIT_BIN) $(FAULT_LIB)

check: deps test-deps
	@$(MAKE) --no-print-directory all tests
	@BUILD=$(BUILD) tests/run-all.sh

run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) ci/run-sample.sh

valgrind: all tests
	@BUILD=$(BUILD) VALGRIND=1 tests/run-all.sh

bench: deps
	@ci/deps.sh bench
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/bench/run.sh

fuzz: deps
	@ci/deps.sh fuzz
	@tests/fuzz/run.sh

format:
	clang-format -i $(wildcard src/*.[ch] cmd/*.[ch] tests/unit/*.[ch])

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kplan
	install -m 0755 $(TOOL_BIN) $(DESTDIR)$(PREFIX)/bin/
	cp -R schemas $(DESTDIR)$(PREFIX)/share/kplan/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build build-san build-fuzz dist

.PHONY: all deps test-deps tests check run valgrind bench fuzz format install clean
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
