# cairn - one build for the binary, the library, tests, fuzzers and benchmarks.
# Knobs (override on the command line): CC, OPT, SAN=1 (ASan+UBSan), FUZZ_TIME, WASI_CC.
CC        ?= gcc
OPT       ?= -O2
SAN       ?= 0
FUZZ_TIME ?= 30
RV_PREFIX ?= riscv64-unknown-elf-
PREFIX    ?= /usr/local
DESTDIR   ?=
WASI_CC   ?= clang-19
WASI_CXX  ?= clang++-19

ifeq ($(SAN),1)
BUILD     ?= build/san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD     ?= build
SANFLAGS  :=
endif

WARN      := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS    ?= $(OPT) -g
# -ffp-contract=off: WebAssembly rounds every float operation on its own (no fused multiply-add)
ALL_CFLAGS = -std=gnu17 $(WARN) $(CFLAGS) $(SANFLAGS) -ffp-contract=off -Isrc -Iinclude -D_GNU_SOURCE -MMD -MP -pthread
LDLIBS    := -lslirp -lfdt -ljansson -lfyaml -lm -pthread

LIB_SRCS  := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRCS  := $(wildcard src/cli/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(BUILD)/%.o)
# The embedding library: the wasm engine behind wasm.h/cairn.h, position
# independent, exporting only the API (scripts/libcairn.map).
SO_SRCS   := $(wildcard src/wasm/*.c src/base/*.c)
SO_OBJS   := $(SO_SRCS:%.c=$(BUILD)/pic/%.o)
SO_NAME   := libcairn.so.0
STAGE     := $(abspath $(BUILD))/stage
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

# Guest test programs: bare-metal RISC-V, built with Debian's cross gcc.
RV_CFLAGS := -march=rv64gc_zba_zbb_zbs -mabi=lp64d -mcmodel=medany -O2 -g -ffreestanding \
             -nostdlib -nostartfiles -static -Itests/riscv -Wall -fno-math-errno -Wl,--no-warn-rwx-segments
RV_TESTS  := $(patsubst tests/riscv/%.S,$(BUILD)/tests/riscv/%.elf,$(wildcard tests/riscv/t_*.S)) \
             $(patsubst tests/riscv/%.c,$(BUILD)/tests/riscv/%.elf,$(wildcard tests/riscv/t_*.c))
RV_COMMON := tests/riscv/crt0.S tests/riscv/lib.c
RV_LD     := tests/riscv/link.ld
# Helper guests the CLI and system scripts boot with their own options (not run on their own).
GUEST_HELPERS := $(patsubst tests/guests/%.c,$(BUILD)/tests/guests/%.elf,$(wildcard tests/guests/*.c)) \
             $(patsubst tests/guests/%.S,$(BUILD)/tests/guests/%.elf,$(wildcard tests/guests/*.S))

.PHONY: all help run run-demo run-rtos test unit test-riscv test-wasm wasm-spec bench-riscv bench bench-hv bench-wasm bench-instantiate fuzz \
	conformance test-wasi wasi-progs clean deps install stage test-tsan
all: $(BUILD)/cairn $(BUILD)/libcairn.a $(BUILD)/libcairn.so

help:
	@echo "make               build $(BUILD)/cairn, $(BUILD)/libcairn.a and $(BUILD)/libcairn.so"
	@echo "make install       install cairn, libcairn, wasm.h, cairn.h, cairn.pc into PREFIX=$(PREFIX) (DESTDIR too)"
	@echo "make run           boot the Linux guest to a shell (built from Debian sources on first use)"
	@echo "make run-demo      boot the bare-metal demo guest"
	@echo "make run-rtos      the real-time guest's timer-latency run (RTOS_SECONDS=10; docs/RTOS.md)"
	@echo "make test          build and run every test; ends with 'N passed, N failed'"
	@echo "make SAN=1 test    the same under AddressSanitizer + UBSan (build/san)"
	@echo "make CC=clang      build with clang (any target)"
	@echo "make test-wasm     run the project's own WebAssembly scripts (tests/wasm/*.wast)"
	@echo "make test-wasi     WASI programs under cairn run (C/C++ via clang-19, AssemblyScript via npm)"
	@echo "make wasm-spec     WebAssembly 2.0 spec suite from WASM_TESTSUITE=DIR (docs/WASM_CONFORMANCE.md)"
	@echo "make bench         guest speed, boot time and the hypervisor (bench-hv) against qemu-system-riscv64, then bench-wasm"
	@echo "make bench-hv      many VMs on one worker pool against as many QEMU processes (HV_* knobs: bench/README.md)"
	@echo "make bench-wasm    wasm programs natively, under node, wasm3 and cairn (bench/README.md)"
	@echo "make bench-instantiate  compile/instantiate time and RSS of a generated 1 MiB wasm module"
	@echo "make bench-hv-wasm a wasm program and a Linux guest sharing 2 workers by weight (cairn hv)"
	@echo "make fuzz          run every libFuzzer target for FUZZ_TIME=$(FUZZ_TIME)s (clang)"
	@echo "make test-tsan     ThreadSanitizer over frames/shootdown, the stop protocol, timers and the I/O loop"
	@echo "make conformance   fetch-free: run riscv-tests from RISCV_TESTS_SRC=DIR (see docs/TESTING.md)"
	@echo "make deps          install the Debian packages the build and tests need"
	@echo "make clean         remove build/"

deps:
	sh scripts/deps.sh

DEMO := $(BUILD)/guests/demo.elf
$(DEMO): guests/baremetal/start.S guests/baremetal/demo.c guests/baremetal/link.ld
	@mkdir -p $(dir $@)
	$(RV_PREFIX)gcc -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -ffreestanding -nostdlib -static \
		-Wl,--no-warn-rwx-segments -T guests/baremetal/link.ld -o $@ guests/baremetal/start.S guests/baremetal/demo.c

# The real-time guest (guests/rtos/, docs/RTOS.md).  Integer-only (no F/D):
# its trap entry then has no FPU state to save, and mstatus.FS stays Off.
RTOS      := $(BUILD)/guests/rtos.elf
RTOS_SRCS := $(wildcard guests/rtos/*.S guests/rtos/*.c)
$(RTOS): $(RTOS_SRCS) guests/rtos/rtos.h guests/rtos/link.ld
	@mkdir -p $(dir $@)
	$(RV_PREFIX)gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -O2 -g -ffreestanding -nostdlib -static \
		-fno-tree-loop-distribute-patterns $(WARN) -Wl,--no-warn-rwx-segments -T guests/rtos/link.ld \
		-o $@ $(RTOS_SRCS)

# The Linux guest: built from Debian sources into the cache on first use.
GUEST_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/cairn/guests/linux
run: $(BUILD)/cairn
	bash guests/linux/build.sh
	$(BUILD)/cairn vm -M virt -m 512M -smp 2 -nographic -kernel $(GUEST_DIR)/Image \
		-initrd $(GUEST_DIR)/initramfs.cpio.gz -append "console=ttyS0" \
		-netdev user,id=n0 -device virtio-net-device,netdev=n0 -device virtio-rng-device

run-demo: $(BUILD)/cairn $(DEMO)
	$(BUILD)/cairn vm -M virt -m 128M -bios none -nographic -kernel $(DEMO)

RTOS_SECONDS ?= 10
run-rtos: $(BUILD)/cairn $(RTOS)
	$(BUILD)/cairn vm -M virt -m 128M -bios none -nographic -kernel $(RTOS) -append rtos.seconds=$(RTOS_SECONDS)

# The wasm interpreter's handlers start on 64-byte boundaries where the compiler can
# (gcc): threaded dispatch is sensitive to where each handler lands, and aligned
# handlers measured 5-15% faster on bench-wasm (docs/PERFORMANCE.md).
INTERP_ALIGN := $(shell $(CC) -falign-labels=64 -Werror -c -x c /dev/null -o /dev/null 2>/dev/null && echo -falign-labels=64)
$(BUILD)/src/wasm/interp.o $(BUILD)/pic/src/wasm/interp.o: ALL_CFLAGS += $(INTERP_ALIGN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libcairn.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fno-semantic-interposition -c $< -o $@

$(BUILD)/$(SO_NAME): $(SO_OBJS) scripts/libcairn.map
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SO_NAME) -Wl,--version-script=scripts/libcairn.map \
		-Wl,--no-undefined -o $@ $(SO_OBJS) -lm -pthread

$(BUILD)/libcairn.so: $(BUILD)/$(SO_NAME)
	ln -sf $(SO_NAME) $@

# install into PREFIX (under DESTDIR); `make test` stages one in $(BUILD)/stage
install: all
	@sh scripts/install.sh "$(BUILD)" "$(PREFIX)" "$(DESTDIR)"

stage: all
	@rm -rf "$(STAGE)"
	@sh scripts/install.sh "$(BUILD)" "$(STAGE)" "" >/dev/null

$(BUILD)/cairn: $(CLI_OBJS) $(BUILD)/libcairn.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libcairn.a $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libcairn.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libcairn.a $(LDLIBS)

$(BUILD)/tests/riscv/%.elf: tests/riscv/%.S $(RV_COMMON) $(RV_LD) tests/riscv/test.h
	@mkdir -p $(dir $@)
	$(RV_PREFIX)gcc $(RV_CFLAGS) -T $(RV_LD) -o $@ $(RV_COMMON) $<

$(BUILD)/tests/riscv/%.elf: tests/riscv/%.c $(RV_COMMON) $(RV_LD) tests/riscv/test.h
	@mkdir -p $(dir $@)
	$(RV_PREFIX)gcc $(RV_CFLAGS) -T $(RV_LD) -o $@ $(RV_COMMON) $<

$(BUILD)/tests/guests/%.elf: tests/guests/%.c $(RV_COMMON) $(RV_LD) tests/riscv/test.h
	@mkdir -p $(dir $@)
	$(RV_PREFIX)gcc $(RV_CFLAGS) -T $(RV_LD) -o $@ $(RV_COMMON) $<

$(BUILD)/tests/guests/%.elf: tests/guests/%.S $(RV_LD)
	@mkdir -p $(dir $@)
	$(RV_PREFIX)gcc $(RV_CFLAGS) -T $(RV_LD) -o $@ $<

# Guest benchmarks: same runtime as the tests, -O2.
RV_BENCH  := $(patsubst bench/riscv/%.c,$(BUILD)/bench/riscv/%.elf,$(wildcard bench/riscv/b_*.c))
$(BUILD)/bench/riscv/%.elf: bench/riscv/%.c bench/riscv/bench.h $(RV_COMMON) $(RV_LD) tests/riscv/test.h
	@mkdir -p $(dir $@)
	$(RV_PREFIX)gcc $(RV_CFLAGS) -Ibench/riscv -T $(RV_LD) -o $@ $(RV_COMMON) $<

# The hypervisor benchmark (bench/hv.sh): bare-metal guests it runs many of at once,
# and a native program timing the scheduler itself through sched.h.
HV_GUESTS := $(patsubst bench/guests/%.c,$(BUILD)/bench/guests/%.elf,$(wildcard bench/guests/*.c))
$(BUILD)/bench/guests/%.elf: bench/guests/%.c $(RV_COMMON) $(RV_LD) tests/riscv/test.h
	@mkdir -p $(dir $@)
	$(RV_PREFIX)gcc $(RV_CFLAGS) -T $(RV_LD) -o $@ $(RV_COMMON) $<
$(BUILD)/bench/sched: bench/sched.c $(BUILD)/libcairn.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libcairn.a $(LDLIBS)

# WASI test programs: C and C++ for wasm32-wasi (Debian's clang-19, wasi-libc,
# libc++).  They do not depend on cairn's build flags: one copy serves SAN=1 too.
WASI_OUT    ?= build/wasm32
WASI_CFLAGS := --target=wasm32-wasi -O2 -Wall -Wextra -Werror
WASI_PROGS  := $(patsubst tests/wasm/wasi/%.c,$(WASI_OUT)/%.wasm,$(wildcard tests/wasm/wasi/*.c)) \
               $(patsubst tests/wasm/wasi/%.cc,$(WASI_OUT)/%.wasm,$(wildcard tests/wasm/wasi/*.cc))
HAVE_WASI_CC := $(shell command -v $(WASI_CC) 2>/dev/null)
$(WASI_OUT)/%.wasm: tests/wasm/wasi/%.c tests/wasm/wasi/check.h
	@mkdir -p $(dir $@)
	$(WASI_CC) $(WASI_CFLAGS) -o $@ $<
$(WASI_OUT)/%.wasm: tests/wasm/wasi/%.cc
	@mkdir -p $(dir $@)
	$(WASI_CXX) $(WASI_CFLAGS) -fno-exceptions -o $@ $<
wasi-progs: $(WASI_PROGS)

# WebAssembly benchmarks: each program for wasm32-wasi (clang-19, Debian's wasi-libc) and
# natively with gcc -O2, plus the best-of-N timer the runner uses.
WB_PROGS  := hash sort fp calls vm coremark hello
WB_SRCS   := $(WB_PROGS:%=bench/wasm/%.c)
WB_BINS   := $(WB_SRCS:bench/wasm/%.c=$(BUILD)/bench/wasm/%.wasm) \
             $(WB_SRCS:bench/wasm/%.c=$(BUILD)/bench/wasm/%.native) $(BUILD)/bench/wasm/timeit
$(BUILD)/bench/wasm/%.wasm: bench/wasm/%.c bench/wasm/bench.h
	@mkdir -p $(dir $@)
	$(WASI_CC) --target=wasm32-wasi -O2 -Wall -Wextra -o $@ $<
$(BUILD)/bench/wasm/%.native: bench/wasm/%.c bench/wasm/bench.h
	@mkdir -p $(dir $@)
	gcc -O2 -Wall -Wextra -o $@ $< -lm
$(BUILD)/bench/wasm/timeit: bench/wasm/timeit.c
	@mkdir -p $(dir $@)
	$(CC) -O2 $(WARN) -o $@ $<

unit: $(UNIT_BINS)
bench-riscv: $(RV_BENCH)
test-riscv: $(RV_TESTS) $(GUEST_HELPERS)

test: all $(UNIT_BINS) $(RV_TESTS) $(GUEST_HELPERS) $(RTOS) stage $(if $(HAVE_WASI_CC),$(WASI_PROGS))
	@BUILD=$(BUILD) WASI_OUT=$(WASI_OUT) STAGE=$(STAGE) CC="$(CC)" EXAMPLE_CFLAGS="$(SANFLAGS)" sh tests/run.sh

test-wasm: $(BUILD)/cairn
	$(BUILD)/cairn wast tests/wasm/*.wast

test-wasi: $(BUILD)/cairn $(if $(HAVE_WASI_CC),$(WASI_PROGS))
	@for s in tests/wasm/wasi/[!l]*.sh; do \
		if CAIRN=$(BUILD)/cairn WASI_OUT=$(WASI_OUT) sh $$s >$(BUILD)/wasi.log 2>&1; then echo "ok   $$s"; \
		else echo "FAIL $$s"; tail -15 $(BUILD)/wasi.log; fi; done

wasm-spec: $(BUILD)/cairn
	@BUILD=$(BUILD) sh scripts/wasm-spec-tests.sh

# Loading a generated 1 MiB module through wasm.h: compile/instantiate time
# and RSS, next to node (V8) on the same module (docs/PERFORMANCE.md).
$(BUILD)/bench/wasm/instantiate: bench/wasm/instantiate.c $(BUILD)/libcairn.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libcairn.a -lm -pthread

# Workers shared by weight between a wasm program and a Linux guest in one
# cairn hv (bench/hv_wasm.sh; docs/HYPERVISOR.md).
$(BUILD)/bench/hv/share: bench/hv/share.c $(BUILD)/libcairn.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libcairn.a $(LDLIBS)

.PHONY: bench-hv-wasm
bench-hv-wasm: all $(BUILD)/bench/hv/share $(WASI_OUT)/spin.wasm
	@BUILD=$(BUILD) WASI_OUT=$(WASI_OUT) sh bench/hv_wasm.sh

bench-instantiate: $(BUILD)/bench/wasm/instantiate
	@$(BUILD)/bench/wasm/instantiate --emit $(BUILD)/bench/wasm/big.wasm
	@if command -v node >/dev/null; then \
		node bench/wasm/instantiate.js $(BUILD)/bench/wasm/big.wasm | sed 's/^node/node (lazy)/'; \
		node --no-wasm-lazy-compilation bench/wasm/instantiate.js $(BUILD)/bench/wasm/big.wasm | sed 's/^node/node (eager)/'; fi

bench: all $(RV_BENCH) $(WB_BINS) $(HV_GUESTS) $(BUILD)/bench/sched $(RTOS)
	@BUILD=$(BUILD) sh bench/run.sh
	@BUILD=$(BUILD) sh bench/boot.sh
	@BUILD=$(BUILD) sh bench/hv.sh
	@BUILD=$(BUILD) sh bench/wasm/run.sh

bench-hv: all $(HV_GUESTS) $(BUILD)/bench/sched $(RTOS)
	@BUILD=$(BUILD) sh bench/hv.sh

bench-wasm: all $(WB_BINS)
	@BUILD=$(BUILD) sh bench/wasm/run.sh

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
# Library objects are instrumented once and shared by every fuzz target.  Each target
# runs on its own corpus in build/fuzz plus the seeds in tests/fuzz/seeds/TARGET, if any.
FUZZ_CFLAGS := -std=gnu17 -O1 -g -Isrc -Iinclude -D_GNU_SOURCE -pthread
FUZZ_OBJS := $(LIB_SRCS:%.c=build/fuzz/obj/%.o)
# A static pattern rule makes the objects explicit targets: reached only through
# the pattern rule below they would be intermediate files, deleted after every
# link and all recompiled (most of an hour on a loaded machine) on the next run.
$(FUZZ_OBJS): build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@
build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJS) $(LDLIBS)
-include $(FUZZ_OBJS:.o=.d)
fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do echo "fuzz: $$f ($(FUZZ_TIME)s)"; mkdir -p build/fuzz/corpus-$$(basename $$f); \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=0 build/fuzz/corpus-$$(basename $$f) \
		$$(ls -d tests/fuzz/seeds/$$(basename $$f) 2>/dev/null) 2>build/fuzz/$$(basename $$f).log \
		|| { tail -50 build/fuzz/$$(basename $$f).log; exit 1; }; done; echo "fuzz: all targets clean"

# ThreadSanitizer over the threaded cores (frames and shootdown, harts' stop protocol, the
# scheduler's timers, the I/O loop): clang, objects of their own in build/tsan.
TSAN_SRCS  := $(wildcard src/base/*.c src/mem/*.c src/sched/*.c src/riscv/*.c)
TSAN_OBJS  := $(TSAN_SRCS:%.c=build/tsan/%.o)
TSAN_TESTS := test_mem test_loop test_hart_stop test_sched
TSAN_FLAGS := -std=gnu17 -O1 -g -fsanitize=thread -ffp-contract=off -Isrc -Iinclude -Itests/unit -D_GNU_SOURCE -MMD -MP -pthread
build/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(TSAN_FLAGS) -c $< -o $@
build/tsan/tests/%: tests/unit/%.c $(TSAN_OBJS)
	@mkdir -p $(dir $@)
	clang $(TSAN_FLAGS) -o $@ $< $(TSAN_OBJS) -lm
-include $(TSAN_OBJS:.o=.d)
.SECONDARY: $(TSAN_OBJS)
test-tsan: $(TSAN_TESTS:%=build/tsan/tests/%)
	@for t in $(TSAN_TESTS); do \
		TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$(CURDIR)/tests/tsan.supp" MEM_STRESS_ROUNDS=60 ROUNDS=30 \
			build/tsan/tests/$$t > build/tsan/$$t.log 2>&1 || { tail -40 build/tsan/$$t.log; echo "tsan: $$t failed"; exit 1; }; \
		echo "tsan: $$t clean"; done

conformance: all
	@BUILD=$(BUILD) sh scripts/riscv-tests.sh

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(SO_OBJS:.o=.d) $(UNIT_BINS:=.d)
