# Warren: build the tool, boot an example, run every check.

GO      ?= go
EXAMPLE ?= examples/httpd
PORT    ?= 8080
WARREN  := bin/warren

.PHONY: all warren run test clean

all: warren

# The tool, with this tree baked in so it works from any directory.
warren:
	$(GO) build -ldflags "-X warren.dev/tools/build.defaultRoot=$(CURDIR)" -o $(WARREN) ./tools/warren

# Boot the HTTP example in QEMU (virtio-net, DHCP from QEMU's user
# network) and reach it at http://localhost:$(PORT)/. Other examples:
# make run EXAMPLE=examples/runtime. Installs QEMU first if it is missing.
run: warren
	tools/deps.sh run
	$(WARREN) run -fwd $(PORT):80 -append ip=dhcp ./$(EXAMPLE)

# Every check, including the QEMU integration tests, which fail (not skip)
# when QEMU or the image tools are missing; tools/deps.sh installs them.
# The drivers and the socket layer share memory with device models and
# netstack's goroutines, so their host tests also run under the race
# detector (about 20 s once its builds are cached). The QEMU tests build
# their images in subprocesses the test cache does not see, so nothing is
# taken from the cache (-count=1); on a loaded 2-core host the QEMU
# package takes longer than go test's default 10 minutes. The QEMU suite
# then runs again with two vCPUs wherever a test names no count of its
# own (WARREN_QEMU_SMP, qemu/machine.go).
test:
	tools/deps.sh test
	$(GO) vet ./...
	$(GO) test -race ./drivers/... ./sockets/...
	WARREN_REQUIRE_QEMU=1 $(GO) test -timeout 25m -count=1 ./...
	WARREN_QEMU_SMP=2 WARREN_REQUIRE_QEMU=1 $(GO) test -timeout 25m -count=1 ./qemu

clean:
	rm -rf bin
