# Warren: build the tool, boot an example, run every check.

GO      ?= go
EXAMPLE ?= examples/hello
WARREN  := bin/warren

.PHONY: all warren run test clean

all: warren

# The tool, with this tree baked in so it works from any directory.
warren:
	$(GO) build -ldflags "-X warren.dev/tools/build.defaultRoot=$(CURDIR)" -o $(WARREN) ./tools/warren

# Boot an example in QEMU: make run EXAMPLE=examples/hello
run: warren
	$(WARREN) run ./$(EXAMPLE)

# Every check, including the QEMU integration tests, which fail (not skip)
# when QEMU or the ISO tools are missing.
test:
	$(GO) vet ./...
	WARREN_REQUIRE_QEMU=1 $(GO) test ./...

clean:
	rm -rf bin
