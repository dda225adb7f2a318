package qemu_test

import (
	"strings"
	"testing"
)

// TestBootHello boots examples/hello, an ordinary Go program, through both
// boot paths: QEMU's multiboot loader (-kernel) and GRUB from an ISO.
func TestBootHello(t *testing.T) {
	for _, tc := range []struct {
		name string
		iso  bool
	}{
		{"kernel", false},
		{"iso", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, status, err := bootExample(t, "examples/hello", boot{ISO: tc.iso})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "hello from warren\n") {
				t.Errorf("output does not contain %q", "hello from warren")
			}
			if status != 0 {
				t.Errorf("exit status %d, want 0", status)
			}
		})
	}
}
