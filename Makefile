# websockify-unix: `make` builds the NativeAOT daemon into build/bin/websockify.
DOTNET  ?= dotnet
ifeq ($(origin CC),default)
CC      := gcc
endif
RID     ?= linux-x64
BUILD   := build
SOURCES := $(shell find src -name '*.cs' -o -name '*.csproj') Directory.Build.props

.PHONY: all build test bench demo clean

all: build

build: $(BUILD)/bin/websockify $(BUILD)/lib/rebind.so

$(BUILD)/bin/websockify: $(SOURCES)
	$(DOTNET) publish src/Websockify.csproj -c Release -r $(RID) -p:PublishAot=true \
		-o $(BUILD)/publish --nologo -v:q
	install -D -m 0755 $(BUILD)/publish/websockify $@

# The LD_PRELOAD shim for wrap mode; only libc and libdl.
$(BUILD)/lib/rebind.so: native/rebind/rebind.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O2 -Wall -Wextra -Werror -o $@ $< -ldl

# Everything: unit tests, then integration tests against the real binary. Installs what it needs.
test:
	tests/run-all.sh

# Side by side with Python websockify and socat (../shared/bench); writes bench/RESULTS.md.
bench: build
	bench/run-bench.sh

# A working bridge in front of a small echo target; prints the ws:// URL to try.
demo: build
	scripts/demo.sh

clean:
	rm -rf $(BUILD)
