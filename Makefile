# websockify-unix: `make` builds the NativeAOT daemon into build/bin/websockify.
DOTNET  ?= dotnet
RID     ?= linux-x64
BUILD   := build
SOURCES := $(shell find src -name '*.cs' -o -name '*.csproj') Directory.Build.props

.PHONY: all build test bench demo clean

all: build

build: $(BUILD)/bin/websockify

$(BUILD)/bin/websockify: $(SOURCES)
	$(DOTNET) publish src/Websockify.csproj -c Release -r $(RID) -p:PublishAot=true \
		-o $(BUILD)/publish --nologo -v:q
	install -D -m 0755 $(BUILD)/publish/websockify $@

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
