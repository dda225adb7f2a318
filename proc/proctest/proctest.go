// Package proctest builds static Linux x86-64 executables for tests of
// the process loader and of images that run them.
package proctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"warren.dev/qemu"
)

// Kinds of executables. Each prints "hello" and its arguments and exits 0.
const (
	Go   = "go"    // CGO_ENABLED=0 go build
	C    = "c"     // gcc -static (glibc)
	CPIE = "c-pie" // gcc -static-pie
)

const goSource = `package main

import (
	"fmt"
	"os"
)

func main() { fmt.Println("hello", os.Args[1:]) }
`

const cSource = `#include <stdio.h>
int main(int argc, char **argv) {
	printf("hello [");
	for (int i = 1; i < argc; i++) printf(i > 1 ? " %s" : "%s", argv[i]);
	printf("]\n");
	return 0;
}
`

// Build builds an executable of kind into a temporary directory of t and
// returns its path. The C kinds need gcc: without it the test is skipped,
// or fails under WARREN_REQUIRE_QEMU=1.
func Build(t testing.TB, kind string) string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, kind)
	var cmd *exec.Cmd
	switch kind {
	case Go:
		write(t, filepath.Join(dir, "go.mod"), "module hello\n\ngo 1.22\n")
		write(t, filepath.Join(dir, "main.go"), goSource)
		cmd = exec.Command("go", "build", "-o", out, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOWORK=off", "GOFLAGS=")
	case C, CPIE:
		qemu.RequireTools(t, "gcc")
		src := filepath.Join(dir, "hello.c")
		write(t, src, cSource)
		cmd = exec.Command("gcc", map[string]string{C: "-static", CPIE: "-static-pie"}[kind], "-O2", "-o", out, src)
	default:
		t.Fatalf("proctest: unknown kind %q", kind)
	}
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the %s test executable: %v\n%s", kind, err, msg)
	}
	return out
}

// Read is Build, returning the executable's contents.
func Read(t testing.TB, kind string) []byte {
	t.Helper()
	b, err := os.ReadFile(Build(t, kind))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t testing.TB, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
