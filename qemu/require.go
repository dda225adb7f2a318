package qemu

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequireEnv, set to 1 (by make test and CI), turns a missing QEMU or
// image tool into a test failure instead of a skip.
const RequireEnv = "WARREN_REQUIRE_QEMU"

// RequireTools ends a test that needs host programs (qemu-system-x86_64,
// grub-mkrescue, xorriso) or files, named by absolute paths (OVMF), when
// one is missing: it fails under WARREN_REQUIRE_QEMU=1 and skips
// otherwise.
func RequireTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		var err error
		if filepath.IsAbs(tool) {
			_, err = os.Stat(tool)
		} else {
			_, err = exec.LookPath(tool)
		}
		if err != nil {
			if os.Getenv(RequireEnv) == "1" {
				t.Fatalf("%s is not installed (required: %s=1)", tool, RequireEnv)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}
