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

LOCALEDIR ?= $(PREFIX)/share/locale

CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DKPLAN_VERSION='"$(VERSION)"' \
	-DKPLAN_DATADIR='"$(PREFIX)/share/kplan"' -DKPLAN_LOCALEDIR='"$(LOCALEDIR)"'
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

# Messages (GNU gettext, domain "kplan"): po/<lang>.po for each language in po/LINGUAS,
# compiled into $(BUILD)/locale, which the tools in $(BUILD)/bin find by themselves.
LINGUAS := $(shell cat po/LINGUAS)
MO := $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/kplan.mo)
# the functions whose argument is a message (a printf format unless said)
MSG_FUNCS := kp_diag_set:4 kp_diag_vset:4 type_error:2 constraint_error:3 report:8 \
	plan_fail:3 fail:2 warn:2 why_set:3 finding:4 xl_say:3 xl_set_error:4 \
	kp_cli_usage_error:2 kp_cli_error:2
# ... and those whose argument is a plain message or a part of one
MSG_TEXT_FUNCS := expected:2 kp_ck_fail:3 ds_write:5 bad:3 sax_stop:2 sheet_fail:2 \
	stage_fail:3 io_error:3 local_fail:2 put_fail:2
XGETTEXT_FLAGS := --from-code=UTF-8 --language=C --add-comments=TRANSLATORS: \
	--package-name=kplan --package-version=$(VERSION) --msgid-bugs-address="the kplan issue tracker" \
	--keyword=_ --keyword=N_ --keyword=Q_:1,2 \
	$(foreach f,$(MSG_FUNCS),--keyword=$(f) --flag=$(f):c-format) \
	$(foreach f,$(MSG_TEXT_FUNCS),--keyword=$(f))

all: $(TOOL_BIN) $(MO)

$(BUILD)/locale/%/LC_MESSAGES/kplan.mo: po/%.po
	@mkdir -p $(dir $@)
	$(Q)msgfmt --check -o $@ $<

# the template of every message, from the sources (not kept in git)
pot: $(BUILD)/kplan.pot
$(BUILD)/kplan.pot: $(LIB_SRC) $(wildcard src/*.h cmd/*.c cmd/*.h)
	@mkdir -p $(dir $@)
	$(Q)xgettext $(XGETTEXT_FLAGS) -o $@ $(sort $(wildcard src/*.c src/*.h cmd/*.c cmd/*.h))

# merges new and changed messages into each po/<lang>.po (then translate them)
po-update: $(BUILD)/kplan.pot
	$(Q)for l in $(LINGUAS); do msgmerge --quiet --update --backup=off --no-wrap po/$$l.po $<; done

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

install: deps
	@$(MAKE) --no-print-directory all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kplan
	install -m 0755 $(TOOL_BIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 ci/publish.sh $(DESTDIR)$(PREFIX)/bin/kplan-publish
	cp -R schemas $(DESTDIR)$(PREFIX)/share/kplan/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	for l in $(LINGUAS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/kplan.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/ || exit 1; \
	done

clean:
	rm -rf build build-san build-fuzz dist

.PHONY: all deps test-deps tests check run valgrind bench fuzz format install clean pot po-update
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
