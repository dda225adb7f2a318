package qemu_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

var spliceprogBuild hostBuild // testdata/spliceprog

// TestSplice runs qemu/testdata/spliceprog as the program in the image:
// splice between pipes and unix and TCP sockets, files and pipes, two
// pipes, tee, the errors Linux gives, and 4 MiB through net's splice
// path.
func TestSplice(t *testing.T) {
	out, status, err := bootExample(t, "qemu/testdata/spliceprog", boot{})
	if err != nil {
		t.Fatal(err)
	}
	if status != 0 || !strings.Contains(out, "spliceprog: ok") {
		t.Fatalf("status %d:\n%s", status, out)
	}
}

// TestUserSplice runs the same program, built by plain go build, as a
// ring-3 process.
func TestUserSplice(t *testing.T) {
	prog := userProgram{"spliceprog", goProgram(t, &spliceprogBuild, "qemu/testdata/spliceprog"), nil}
	m, err := userMachine(userImage(t, prog))
	if err != nil {
		t.Fatal(err)
	}
	m.Timeout = 3 * time.Minute
	res, err := m.Run(context.Background())
	out := string(res.Output)
	if err != nil || res.Status != 0 || !strings.Contains(out, "spliceprog: ok") {
		t.Fatalf("status %d, %v:\n%s", res.Status, err, out)
	}
}
