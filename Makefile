# websockify-unix: `make` builds the NativeAOT daemon into build/bin/websockify.
DOTNET  ?= dotnet
ifeq ($(origin CC),default)
CC      := gcc
endif
RID     ?= linux-x64
BUILD   := build
SOURCES := $(shell find src -name '*.cs' -o -name '*.csproj' 2>/dev/null) $(wildcard Directory.Build.props)
WWW_SOURCES := $(wildcard src/Browser/*.js src/Browser/*.mjs src/Browser/*.html src/Browser/*.css) src/Browser/package-lock.json scripts/build-www.sh

# Installation layout (make install PREFIX=/usr DESTDIR=...).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/websockify
WWWDIR     ?= $(PREFIX)/share/websockify/www
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
UNITS      := systemd/websockify@.service systemd/websockify@.socket systemd/websockify.service
SYSUSERSDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/sysusers.d,$(PREFIX)/lib/sysusers.d)
DROPINDIR  ?= $(PREFIX)/share/websockify/drop-ins

.PHONY: all build build-deps test fuzz bench demo demo-echo clean install uninstall deb rpm

all: build

build: build-deps $(BUILD)/bin/websockify $(BUILD)/lib/rebind.so $(BUILD)/www/wstelnet.html

# gcc, zlib1g-dev and the rest, from Debian's archive where missing (checked with dpkg-query: cheap).
build-deps:
	@scripts/install-deps.sh build

$(BUILD)/bin/websockify: $(SOURCES)
	$(DOTNET) publish src/Websockify.csproj -c Release -r $(RID) -p:PublishAot=true \
		-o $(BUILD)/publish --nologo -v:q
	install -D -m 0755 $(BUILD)/publish/websockify $@

# The LD_PRELOAD shim for wrap mode; only libc and libdl.
$(BUILD)/lib/rebind.so: native/rebind/rebind.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -shared -fPIC -O2 -Wall -Wextra -Werror $(LDFLAGS) -o $@ $< -ldl

# The browser files for --web: websock.js (and its classic build, the compat script), wstelnet.html, xterm.js from npm.
$(BUILD)/www/wstelnet.html: $(WWW_SOURCES)
	scripts/build-www.sh $(BUILD)/www

# Everything: unit tests, then integration tests against the real binary. Installs what it needs.
test:
	tests/run-all.sh

# Coverage-guided fuzzing (tests/Fuzz): afl-fuzz for FUZZ_SECONDS on each target in turn, from the
# committed seeds; fails on any crash or hang (inputs under build/fuzz/TARGET). make test runs 17 s each.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= http-head frames base64 token-file cli proxy-header
fuzz:
	@scripts/install-deps.sh fuzz
	@app=$$(tests/Fuzz/prepare.sh) && status=0 && \
		for target in $(FUZZ_TARGETS); do FUZZ_APP=$$app tests/Fuzz/fuzz.sh $$target $(FUZZ_SECONDS) || status=1; done; \
		exit $$status

# Side by side with Python websockify and socat (../shared/bench); writes bench/RESULTS.md.
bench: build
	bench/run-bench.sh

# A VNC desktop in the browser: wrapped Xvnc, noVNC served by --web; prints the URL to open.
demo: build
	scripts/demo.sh

# The smaller demo: the bridge in front of an echo target; prints the ws:// URL to try.
demo-echo: build
	scripts/demo-echo.sh

# Installs what `make build` made; the unit files are rewritten for BINDIR and SYSCONFDIR.
install:
	@test -x $(BUILD)/bin/websockify -a -f $(BUILD)/lib/rebind.so -a -f $(BUILD)/www/wstelnet.html || { echo "run 'make build' first" >&2; exit 1; }
	install -D -m 0755 $(BUILD)/bin/websockify $(DESTDIR)$(BINDIR)/websockify
	install -D -m 0644 $(BUILD)/lib/rebind.so $(DESTDIR)$(LIBDIR)/websockify/rebind.so
	install -d $(DESTDIR)$(UNITDIR)
	for unit in $(UNITS); do \
		sed -e 's#/usr/bin/websockify#$(BINDIR)/websockify#' -e 's#/etc/websockify#$(SYSCONFDIR)/websockify#' \
			-e 's#/usr/share/websockify/drop-ins#$(DROPINDIR)#' $$unit > $(DESTDIR)$(UNITDIR)/$$(basename $$unit); \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$unit); \
	done
	# The units' user (packages run systemd-sysusers; a plain `make install` as root does it below).
	install -D -m 0644 systemd/websockify.sysusers $(DESTDIR)$(SYSUSERSDIR)/websockify.conf
	install -d $(DESTDIR)$(DROPINDIR)
	sed -e 's#/usr/share/websockify/drop-ins#$(DROPINDIR)#' systemd/drop-ins/run-as-root.conf > $(DESTDIR)$(DROPINDIR)/run-as-root.conf
	chmod 0644 $(DESTDIR)$(DROPINDIR)/run-as-root.conf
	# Instance settings may hold secrets (WEBSOCKIFY_OPTIONS, a key password file): not for other users.
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/websockify
	install -m 0640 systemd/example.conf $(DESTDIR)$(SYSCONFDIR)/websockify/example.conf
	# Installing into the running system: create the user now, and let its group into the directory
	# (certificates and token files for the daemon; the instance settings are read by systemd as root).
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(SYSUSERSDIR)/websockify.conf && chgrp websockify $(SYSCONFDIR)/websockify; \
	fi
	install -D -m 0644 man/websockify.1 $(DESTDIR)$(MANDIR)/man1/websockify.1
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	# The browser side: `websockify --web $(WWWDIR) ...` serves wstelnet.html and websock.js.
	cd $(BUILD)/www && find . -type d -exec install -d -m 0755 '$(DESTDIR)$(WWWDIR)/{}' \; \
		&& find . -type f -exec install -m 0644 '{}' '$(DESTDIR)$(WWWDIR)/{}' \;

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/websockify $(DESTDIR)$(LIBDIR)/websockify/rebind.so
	-rmdir $(DESTDIR)$(LIBDIR)/websockify
	for unit in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$unit); done
	rm -f $(DESTDIR)$(SYSUSERSDIR)/websockify.conf $(DESTDIR)$(DROPINDIR)/run-as-root.conf
	-rmdir $(DESTDIR)$(DROPINDIR)
	rm -f $(DESTDIR)$(SYSCONFDIR)/websockify/example.conf
	-rmdir $(DESTDIR)$(SYSCONFDIR)/websockify
	rm -f $(DESTDIR)$(MANDIR)/man1/websockify.1 $(DESTDIR)$(DOCDIR)/README.md
	rm -rf $(DESTDIR)$(WWWDIR)
	-rmdir $(DESTDIR)$(dir $(WWWDIR:/=))
	-rmdir $(DESTDIR)$(DOCDIR)

# Debian and RPM packages into build/packages/ (the .NET binary is built first, outside the packagers).
deb: build
	packaging/build-deb.sh

rpm: build
	packaging/build-rpm.sh

clean:
	rm -rf $(BUILD)
