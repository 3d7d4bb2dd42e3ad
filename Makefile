# guestd: make [all] | deps | test | check | demo | bench | fuzz | windows | clean
# See README.md. Every target that needs packages runs `make deps` first.

BUILD      := build
KINC       := $(BUILD)/kinc
MUSL_DIR   := $(BUILD)/musl
ASAN_DIR   := $(BUILD)/asan
UNIT_DIR   := $(BUILD)/unit
BEARSSL_A  := /usr/lib/x86_64-linux-gnu/libbearssl.a

WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
COMMON     := -std=c11 -D_GNU_SOURCE $(WARN)

# Include rules by area (docs/architecture.md). Every agent/<area> sees
# libmini, itself and the areas in SEES_<area>, and nothing else: a file
# that includes a header of an area it may not see does not compile, and
# make lint names the arrow. libmini sees only libmini; host/ libmini and
# itself. Services never see the connection area, a transport or a
# protocol front end.
AREAS          := core conn transport gate native qga kv time init fsfreeze exec
SERVICES       := kv time init fsfreeze exec
SEES_core      := $(AREAS)
SEES_conn      := core gate transport $(SERVICES)
SEES_gate      := core conn native $(SERVICES)
SEES_transport := core conn gate $(SERVICES)
SEES_native    := core conn gate $(SERVICES)
SEES_qga       := core conn gate $(SERVICES)
$(foreach s,$(SERVICES),$(eval SEES_$(s) := core $(SERVICES)))
# Each area's one header for the others; any other header is its own.
HEADER_core := agent.h
HEADER_conn := conn.h
HEADER_transport := transport.h
HEADER_gate := gate.h
HEADER_native := native.h
HEADER_qga := qga.h
HEADER_kv := kv.h
HEADER_time := time_svc.h
HEADER_init := pid1.h
HEADER_fsfreeze := fsfreeze_svc.h
HEADER_exec := exec.h
comma      := ,
area_of    = $(word 2,$(subst /, ,$(1)))
area_incs  = -Ilibmini $(patsubst %,-Iagent/%,$(sort $(1) $(SEES_$(1))))
# The include flags for one source file.
incs       = $(if $(filter agent/%,$(1)),$(call area_incs,$(call area_of,$(1))),$\
             $(if $(filter libmini/%,$(1)),-Ilibmini,-Ilibmini -Ihost))
# Tests and the fuzz targets that link agent code see every area.
INCS_ALL   := -Ilibmini -Ihost $(patsubst %,-Iagent/%,$(AREAS))

MUSL_CC     := musl-gcc
MUSL_CFLAGS := $(COMMON) -Os -I$(KINC) -ffunction-sections -fdata-sections \
               -fno-asynchronous-unwind-tables -fstack-protector-strong
MUSL_LDFLAGS:= -static -Wl,--gc-sections

# Link-time optimisation (make LTO=0 leaves it out): the request path is
# many small functions across files (the output queue, the codec, the
# loop's due times), and only LTO can inline them where they are called.
# It cut callgrind's instructions per ping by a fifth and the stripped
# binary by 8 KiB (docs/bench.md). make bench-bin also builds BUILD/nolto,
# whose link map still says which object each byte came from.
LTO         ?= 1
ifeq ($(LTO),1)
MUSL_CFLAGS += -flto=auto
MUSL_LDFLAGS+= -flto=auto -Os
endif

# Build options (agent/core/buildopts.h): make GD_QGA=0 leaves the QEMU guest
# agent protocol out, make GD_KV_CLI=0 the `guestd kv` client. Objects do
# not record the options: build a variant in its own BUILD directory.
GD_QGA      ?= 1
GD_KV_CLI   ?= 1
MUSL_CFLAGS += -DGD_QGA=$(GD_QGA) -DGD_KV_CLI=$(GD_KV_CLI)

ASAN_CC     := gcc
ASAN_CFLAGS := $(COMMON) -O1 -g -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_LDFLAGS:= -fsanitize=address,undefined

UNIT_CFLAGS := $(COMMON) -O1 -g

LIB_SRC    := $(filter-out libmini/fortify_musl.c libmini/%_win.c,$(wildcard libmini/*.c))
AGENT_SRC  := $(filter-out $(if $(filter 0,$(GD_KV_CLI)),agent/kv/kv_cli.c),$(wildcard agent/*/*.c))
HOST_SRC   := $(filter-out host/%_win.c,$(wildcard host/*.c))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)

musl_obj = $(patsubst %.c,$(MUSL_DIR)/%.o,$(1))
asan_obj = $(patsubst %.c,$(ASAN_DIR)/%.o,$(1))

GUESTD_OBJ   := $(call musl_obj,$(AGENT_SRC) $(LIB_SRC) libmini/fortify_musl.c)
GUESTCTL_OBJ := $(call musl_obj,$(HOST_SRC) $(LIB_SRC) libmini/fortify_musl.c)

.PHONY: all deps test check clean kernel initramfs demo
KERNEL_DIR := $(BUILD)/kernel
INITRAMFS  := $(BUILD)/initramfs.cpio.gz
MODULES    ?= default
CONF       ?= initramfs/guestd.conf
EXTRA      ?=
all: $(BUILD)/guestd $(BUILD)/guestctl

deps:
	@sh tests/deps.sh

# Kernel UAPI headers only (linux/, asm/, asm-generic/), bearssl's and jsmn's,
# staged so musl-gcc never sees glibc's /usr/include as a whole.
# Restaged when this Makefile changes (a header added here must reach old trees).
$(KINC)/.stamp: Makefile
	@rm -rf $(KINC); mkdir -p $(KINC)
	cp -r /usr/include/linux /usr/include/asm-generic $(KINC)/
	cp -r /usr/include/x86_64-linux-gnu/asm $(KINC)/asm
	cp /usr/include/bearssl*.h $(KINC)/
	cp /usr/include/jsmn.h $(KINC)/
	@touch $@

# bearssl.h only includes bearssl/bearssl.h: stage that directory too.
$(KINC)/bearssl/.stamp: $(KINC)/.stamp
	cp -r /usr/include/bearssl $(KINC)/
	@touch $@
$(GUESTD_OBJ) $(GUESTCTL_OBJ): | $(KINC)/bearssl/.stamp

$(MUSL_DIR)/%.o: %.c $(KINC)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) $(call incs,$<) -MMD -MP -c $< -o $@

$(ASAN_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(ASAN_CFLAGS) $(call incs,$<) -MMD -MP -c $< -o $@

$(BUILD)/guestd: $(GUESTD_OBJ)
	$(MUSL_CC) $(MUSL_LDFLAGS) -Wl,-Map=$@.map -o $@ $^ $(BEARSSL_A)

$(BUILD)/guestctl: $(GUESTCTL_OBJ)
	$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(BEARSSL_A)

$(ASAN_DIR)/guestd: $(call asan_obj,$(AGENT_SRC) $(LIB_SRC))
	$(ASAN_CC) $(ASAN_LDFLAGS) -o $@ $^ -lbearssl

$(ASAN_DIR)/guestctl: $(call asan_obj,$(HOST_SRC) $(LIB_SRC))
	$(ASAN_CC) $(ASAN_LDFLAGS) -o $@ $^ -lbearssl

# Unit tests link libmini (glibc, cmocka), compiled once into an archive.
UNIT_LIB_OBJ := $(patsubst %.c,$(UNIT_DIR)/obj/%.o,$(LIB_SRC))
$(UNIT_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) $(call incs,$<) -MMD -MP -c $< -o $@
$(UNIT_DIR)/libmini.a: $(UNIT_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^
$(UNIT_DIR)/%: tests/unit/%.c $(UNIT_DIR)/libmini.a $(wildcard libmini/*.h)
	@mkdir -p $(UNIT_DIR)
	$(CC) $(UNIT_CFLAGS) $(call incs,$<) -o $@ $< $(UNIT_DIR)/libmini.a -lcmocka -lbearssl

$(ASAN_DIR)/unit/libmini.a: $(call asan_obj,$(LIB_SRC))
	@mkdir -p $(ASAN_DIR)/unit
	@rm -f $@
	$(AR) rcs $@ $^
$(ASAN_DIR)/unit/%: tests/unit/%.c $(ASAN_DIR)/unit/libmini.a $(wildcard libmini/*.h)
	@mkdir -p $(ASAN_DIR)/unit
	$(ASAN_CC) $(ASAN_CFLAGS) $(call incs,$<) $(ASAN_LDFLAGS) -o $@ $< $(ASAN_DIR)/unit/libmini.a \
		-lcmocka -lbearssl

# Unit tests of agent code (tests/unit/agent/test_NAME.c, run as
# test_agent_NAME) link the real agent objects, all but core/main.c, each
# compiled with its own area's include rules, from one archive, and the
# helpers beside them (tests/unit/agent/*.c: a harness and a fake clock,
# so no test can set this machine's clock); the tests see every area.
UNIT_AGENT_SRC  := $(wildcard tests/unit/agent/test_*.c)
UNIT_AGENT_HELP := $(filter-out $(UNIT_AGENT_SRC),$(wildcard tests/unit/agent/*.c))
UNIT_AGENT_LIB  := $(filter-out agent/core/main.c,$(AGENT_SRC))
UNIT_AGENT_DEPS := $(UNIT_AGENT_HELP) $(wildcard libmini/*.h agent/*/*.h tests/unit/agent/*.h)
UNIT_AGENT_CC    = $(UNIT_CFLAGS) $(INCS_ALL) -Itests/unit/agent -o $@ $< $(UNIT_AGENT_HELP)
$(UNIT_DIR)/agent.a: $(patsubst %.c,$(UNIT_DIR)/obj/%.o,$(UNIT_AGENT_LIB))
	@rm -f $@
	$(AR) rcs $@ $^
$(UNIT_DIR)/test_agent_%: tests/unit/agent/test_%.c $(UNIT_DIR)/agent.a \
		$(UNIT_DIR)/libmini.a $(UNIT_AGENT_DEPS)
	$(CC) $(UNIT_AGENT_CC) $(UNIT_DIR)/agent.a $(UNIT_DIR)/libmini.a -lcmocka -lbearssl
$(ASAN_DIR)/unit/agent.a: $(call asan_obj,$(UNIT_AGENT_LIB))
	@mkdir -p $(ASAN_DIR)/unit
	@rm -f $@
	$(AR) rcs $@ $^
$(ASAN_DIR)/unit/test_agent_%: tests/unit/agent/test_%.c $(ASAN_DIR)/unit/agent.a \
		$(ASAN_DIR)/unit/libmini.a $(UNIT_AGENT_DEPS)
	$(ASAN_CC) $(ASAN_CFLAGS) $(ASAN_LDFLAGS) $(UNIT_AGENT_CC) $(ASAN_DIR)/unit/agent.a \
		$(ASAN_DIR)/unit/libmini.a -lcmocka -lbearssl

UNIT_BIN      := $(patsubst tests/unit/%.c,$(UNIT_DIR)/%,$(UNIT_SRC)) \
                 $(patsubst tests/unit/agent/test_%.c,$(UNIT_DIR)/test_agent_%,$(UNIT_AGENT_SRC))
ASAN_UNIT_BIN := $(patsubst tests/unit/%.c,$(ASAN_DIR)/unit/%,$(UNIT_SRC)) \
                 $(patsubst tests/unit/agent/test_%.c,$(ASAN_DIR)/unit/test_agent_%,$(UNIT_AGENT_SRC))

test: deps
	@$(MAKE) --no-print-directory -j$$(nproc) all kernel $(UNIT_BIN) $(REPLAY_BIN) $(FUZZ_SEEDS)/.stamp
	@BUILD=$(BUILD) GUESTD=$(BUILD)/guestd GUESTCTL=$(BUILD)/guestctl \
		UNIT_DIR=$(UNIT_DIR) MODE=release bash tests/run.sh

check: deps
	@$(MAKE) --no-print-directory $(ASAN_DIR)/guestd $(ASAN_DIR)/guestctl $(ASAN_UNIT_BIN)
	@BUILD=$(BUILD) GUESTD=$(ASAN_DIR)/guestd GUESTCTL=$(ASAN_DIR)/guestctl \
		UNIT_DIR=$(ASAN_DIR)/unit MODE=asan bash tests/run.sh

# Debian's cloud kernel and its modules, unpacked under build/kernel.
kernel: deps
	@initramfs/fetch-kernel.sh $(KERNEL_DIR)

# guestd as /init plus the modules asked for; prints its size.
initramfs: all kernel
	@initramfs/mkinitramfs.sh --init $(BUILD)/guestd --guestctl $(BUILD)/guestctl \
		--conf $(CONF) --kernel-dir $(KERNEL_DIR) --modules $(MODULES) \
		$(if $(EXTRA),--extra $(EXTRA)) --out $(INITRAMFS)

# make bench: guestd beside the echo limit and qemu-ga (tests/bench/), from
# $(BUILD) (make BUILD=dir bench benches dir's binaries).
BENCH_DIR := $(BUILD)/bench
BENCH_BIN := $(BENCH_DIR)/echo_server $(BENCH_DIR)/pingload $(BENCH_DIR)/mininit \
	$(BENCH_DIR)/cpuspeed

$(BENCH_DIR)/echo_server: tests/bench/echo_server.c $(KINC)/.stamp
	@mkdir -p $(BENCH_DIR)
	$(MUSL_CC) $(MUSL_CFLAGS) $(MUSL_LDFLAGS) -o $@ $<

# The limit of the boot-to-ready row: a PID 1 doing only guestd's pre-ready work.
$(BENCH_DIR)/mininit: tests/bench/mininit.c $(KINC)/.stamp
	@mkdir -p $(BENCH_DIR)
	$(MUSL_CC) $(MUSL_CFLAGS) $(MUSL_LDFLAGS) -o $@ $<

# How fast each CPU is during the run (the host's share of it moves).
$(BENCH_DIR)/cpuspeed: tests/bench/cpuspeed.c
	@mkdir -p $(BENCH_DIR)
	$(CC) $(COMMON) -O2 -o $@ $<

$(BENCH_DIR)/pingload: tests/bench/pingload.c libmini/proto.c libmini/buf.c \
		$(wildcard libmini/*.h)
	@mkdir -p $(BENCH_DIR)
	$(CC) $(COMMON) -Ilibmini -O2 -o $@ $(filter %.c,$^)

.PHONY: bench bench-smoke bench-deps bench-bin bench-tools
bench-deps: deps
	@sh tests/bench/deps.sh

bench-tools: $(BENCH_BIN)
bench-bin: $(BUILD)/guestd $(BUILD)/guestctl $(BENCH_BIN) bench-opt

# The smallest build (no QGA front end, no KV client), for the size rows,
# and the build without LTO whose link map the size-by-area rows read.
.PHONY: bench-opt
bench-opt:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/opt-min GD_QGA=0 GD_KV_CLI=0 \
		$(BUILD)/opt-min/guestd
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/nolto LTO=0 $(BUILD)/nolto/guestd

bench: bench-deps
	@$(MAKE) --no-print-directory bench-bin
	@GUESTD=$(BUILD)/guestd GUESTCTL=$(BUILD)/guestctl BENCH_BIN=$(BENCH_DIR) bash tests/bench/bench.sh

bench-smoke: bench-deps
	@$(MAKE) --no-print-directory bench-bin
	@BENCH_SMOKE=1 GUESTD=$(BUILD)/guestd GUESTCTL=$(BUILD)/guestctl BENCH_BIN=$(BENCH_DIR) bash tests/bench/bench.sh

# Boot the guest in QEMU and drive it from the host (README: the main job).
demo: all kernel
	@bash tests/e2e/demo.sh

# make windows: build/guestctl.exe for Windows hosts (Hyper-V sockets,
# docs/hyper-v.md), cross-built with mingw-w64 and linked statically. Every
# host/ file and all of libmini (as an archive: only what guestctl uses is
# linked) but the Linux-only files listed here; a new Linux-only file goes
# in HOST_LINUX or LIB_LINUX. *_win.c stand in: clock_win.c for sysinfo.c's
# gd_clock_ns; host/hmac_win.c (CNG) for BearSSL, host/keyfile_win.c (ACLs).
WIN_DIR      := $(BUILD)/win
WIN_CC       := x86_64-w64-mingw32-gcc
WIN_CFLAGS   := $(COMMON) -Os -D_WIN32_WINNT=0x0A00 \
                -D_POSIX_THREAD_SAFE_FUNCTIONS=200112L \
                -ffunction-sections -fdata-sections
WIN_LDFLAGS  := -static -Wl,--gc-sections
HOST_LINUX   := host/cmd_notify.c host/connect.c host/fdlimit.c
LIB_LINUX    := $(patsubst %,libmini/%.c,fortify_musl hmac_bearssl keyfile kvfile \
                  qga_req kvstore netaddr sysinfo signame dirscan procscan acpi_event \
                  shacrypt)
WIN_LIBS     := -lws2_32 -lbcrypt -ladvapi32
WIN_HOST_OBJ := $(patsubst %.c,$(WIN_DIR)/%.o,$(filter-out $(HOST_LINUX),$(wildcard host/*.c)))
WIN_LIB_OBJ  := $(patsubst %.c,$(WIN_DIR)/%.o,$(filter-out $(LIB_LINUX),$(wildcard libmini/*.c)))

$(WIN_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_CFLAGS) $(call incs,$<) -MMD -MP -c $< -o $@

$(WIN_DIR)/libmini.a: $(WIN_LIB_OBJ)
	rm -f $@
	x86_64-w64-mingw32-ar rcs $@ $^

$(BUILD)/guestctl.exe: $(WIN_HOST_OBJ) $(WIN_DIR)/libmini.a
	$(WIN_CC) $(WIN_LDFLAGS) -o $@ $^ $(WIN_LIBS)

# Its Windows layer against Wine's Winsock (tests/integration/test_windows.sh).
WIN_TEST_SRC := tests/windows/test_compat.c host/compat_win.c \
                host/connect_win.c host/target.c host/hmac_win.c \
                host/keyfile_win.c

$(WIN_DIR)/test_compat.exe: $(patsubst %.c,$(WIN_DIR)/%.o,$(WIN_TEST_SRC)) \
		$(WIN_DIR)/libmini.a
	$(WIN_CC) $(WIN_LDFLAGS) -o $@ $^ $(WIN_LIBS)

.PHONY: windows windows-tests
windows: deps
	@$(MAKE) --no-print-directory $(BUILD)/guestctl.exe

windows-tests: windows
	@$(MAKE) --no-print-directory $(WIN_DIR)/test_compat.exe

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Man pages (scdoc) into build/man/, and installation:
#   make install PREFIX=/usr/local DESTDIR=
MAN_SRC  := $(wildcard docs/*.[1-8].scd)
MAN_OUT  := $(patsubst docs/%.scd,$(BUILD)/man/%,$(MAN_SRC))
PREFIX   ?= /usr/local
DESTDIR  ?=
UNIT_DIR_SYSTEMD := $(PREFIX)/lib/systemd/system

.PHONY: man install
man: $(MAN_OUT)

$(BUILD)/man/%: docs/%.scd
	@mkdir -p $(dir $@)
	@command -v scdoc >/dev/null || $(MAKE) --no-print-directory deps
	scdoc < $< > $@.tmp && mv $@.tmp $@

install: all man
	install -D -m 0755 $(BUILD)/guestd $(DESTDIR)$(PREFIX)/sbin/guestd
	install -D -m 0755 $(BUILD)/guestctl $(DESTDIR)$(PREFIX)/bin/guestctl
	for m in $(MAN_OUT); do \
		s=$${m##*.}; \
		install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/$${m##*/} || exit 1; \
	done
	@mkdir -p $(DESTDIR)$(UNIT_DIR_SYSTEMD)
	sed 's|/usr/local/sbin/guestd|$(PREFIX)/sbin/guestd|' dist/guestd.service \
		> $(DESTDIR)$(UNIT_DIR_SYSTEMD)/guestd.service
	chmod 0644 $(DESTDIR)$(UNIT_DIR_SYSTEMD)/guestd.service

# Fuzzing (tests/fuzz, docs/auth.md "Fuzzing"). libFuzzer targets are built
# with clang; the same targets are linked with a plain replay driver (gcc)
# so make test / make check replay the generated seeds, the committed finds
# and every crash-* found (tests/fuzz/README.md).
FUZZ_TARGETS  := decoder request qga
FUZZ_SECONDS  ?= 60
FUZZ_MAX_LEN  := 10000
FUZZ_DIR      := $(BUILD)/fuzz
FUZZ_CFLAGS   := $(COMMON) $(INCS_ALL) -Itests/fuzz -g -O1 -fno-omit-frame-pointer \
                 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LINK_SRC := tests/fuzz/sandbox.c $(LIB_SRC) $(filter-out agent/core/main.c,$(AGENT_SRC))
FUZZ_DEPS     := $(FUZZ_LINK_SRC) $(wildcard libmini/*.h agent/*/*.h tests/fuzz/*.h)
FUZZ_BIN      := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
REPLAY_BIN    := $(patsubst %,$(BUILD)/replay/fuzz_%,$(FUZZ_TARGETS))
ASAN_REPLAY_BIN := $(patsubst %,$(ASAN_DIR)/replay/fuzz_%,$(FUZZ_TARGETS))
# The seeds gen_corpus.py writes (not kept in git): BUILD/fuzz-seeds/<target>.
FUZZ_SEEDS    := $(BUILD)/fuzz-seeds

$(FUZZ_SEEDS)/.stamp: tests/fuzz/gen_corpus.py tests/lib/gdproto.py \
		tests/lib/gdauth.py tests/lib/qga.py
	@rm -rf $(FUZZ_SEEDS)
	python3 -B tests/fuzz/gen_corpus.py $(FUZZ_SEEDS)
	@touch $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(FUZZ_DIR)
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LINK_SRC) -lbearssl

# The release replays link the unit tests' objects of the same sources
# (same compiler and flags) instead of compiling them once more per target.
REPLAY_OBJ    := $(patsubst %.c,$(UNIT_DIR)/obj/%.o,$(filter-out tests/fuzz/sandbox.c,$(FUZZ_LINK_SRC)))
$(BUILD)/replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c tests/fuzz/sandbox.c \
		$(REPLAY_OBJ) $(filter %.h,$(FUZZ_DEPS))
	@mkdir -p $(BUILD)/replay
	$(CC) $(UNIT_CFLAGS) $(INCS_ALL) -Itests/fuzz -o $@ $< tests/fuzz/replay_main.c \
		tests/fuzz/sandbox.c $(REPLAY_OBJ) -lbearssl

$(ASAN_DIR)/replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(FUZZ_DEPS)
	@mkdir -p $(ASAN_DIR)/replay
	$(ASAN_CC) $(ASAN_CFLAGS) $(INCS_ALL) -Itests/fuzz $(ASAN_LDFLAGS) -o $@ $< \
		tests/fuzz/replay_main.c $(FUZZ_LINK_SRC) -lbearssl

check: $(ASAN_REPLAY_BIN) $(FUZZ_SEEDS)/.stamp

# Each target runs FUZZ_SECONDS from the generated seeds and the committed
# finds (tests/fuzz/corpus/<target>); new inputs go to BUILD/fuzz/corpus,
# crashes to tests/fuzz/crashes/<target>/ (replayed by make test from then
# on; tests/fuzz/README.md says how to keep a find). The last line per
# target counts executions.
# Static analysis: cppcheck, then clang-tidy's analyzer and a few bugprone
# checks (both from Debian). Off: insecureAPI (it flags every snprintf) and
# valist.Uninitialized (a false positive on every va_start/vsnprintf pair).
LINT_SRC    := $(filter-out %_win.c,$(AGENT_SRC) $(LIB_SRC) $(wildcard host/*.c))
TIDY_CHECKS := -*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,$\
               -clang-analyzer-valist.Uninitialized,bugprone-macro-parentheses,$\
               bugprone-sizeof-expression,bugprone-integer-division,$\
               bugprone-suspicious-memset-usage,bugprone-misplaced-widening-cast
# One way out: frames are begun and ended only by the output queue; kv_cli
# is a client with its own buffer, time_watch stages an event's payload.
OUT_OK      := agent/conn/conn_out.c agent/kv/kv_cli.c agent/time/time_watch.c
.PHONY: lint
lint: deps
	@python3 tests/lint/include_rules.py $(foreach a,$(AREAS),$(a)=$(subst $(eval) ,$(comma),$(strip $(SEES_$(a)))):$(HEADER_$(a)))
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--std=c11 -D__linux__ $(INCS_ALL) $(LINT_SRC)
	@mkdir -p $(BUILD)
	@printf '%s\n' $(LINT_SRC) | xargs -P $$(nproc) -I{} clang-tidy --quiet \
		--warnings-as-errors='*' --checks='$(TIDY_CHECKS)' {} -- -std=c11 \
		-D_GNU_SOURCE $(INCS_ALL) >$(BUILD)/lint.log 2>&1; rc=$$?; \
		grep -v 'warnings\? generated\|^Suppressed\|header-filter' $(BUILD)/lint.log; \
		exit $$rc
	@bad=$$(grep -n 'struct outq\|\.opaque\b\|gd_frame_end\|gd_frame_begin' \
		$(filter-out $(OUT_OK),$(wildcard agent/*/*.c)) /dev/null); \
	if [ -n "$$bad" ]; then echo "$$bad"; echo "lint: only agent/conn/conn_out.c" \
		"writes a connection's output queue (conn_out.h)"; exit 1; fi
	@echo "lint: clean (cppcheck, clang-tidy, include rules, one way out)"

.PHONY: fuzz fuzz-bin fuzz-syntax
fuzz-bin: $(FUZZ_BIN)
# What make fuzz compiles, checked by clang with the same warnings in a few
# seconds (make test runs it: the replay binaries are built with gcc).
fuzz-syntax:
	@for t in $(FUZZ_TARGETS); do \
		clang $(COMMON) $(INCS_ALL) -Itests/fuzz -fsyntax-only tests/fuzz/fuzz_$$t.c || exit 1; \
	done
	@clang $(COMMON) $(INCS_ALL) -Itests/fuzz -fsyntax-only $(FUZZ_LINK_SRC)
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-bin $(FUZZ_SEEDS)/.stamp
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t tests/fuzz/crashes/$$t; \
		kept=; [ -d tests/fuzz/corpus/$$t ] && kept=tests/fuzz/corpus/$$t; \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s (log $(FUZZ_DIR)/$$t.log)"; \
		$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-max_len=$(FUZZ_MAX_LEN) -print_final_stats=1 \
			-artifact_prefix=tests/fuzz/crashes/$$t/ \
			$(FUZZ_DIR)/corpus/$$t $(FUZZ_SEEDS)/$$t $$kept \
			>$(FUZZ_DIR)/$$t.log 2>&1; rc=$$?; \
		grep -E '^stat::number_of_executed_units|^Done' $(FUZZ_DIR)/$$t.log; \
		if [ $$rc -ne 0 ]; then tail -40 $(FUZZ_DIR)/$$t.log; \
			echo "fuzz_$$t FOUND A CRASH (exit $$rc)"; exit 1; fi; \
	done; echo "fuzz: nothing found"
