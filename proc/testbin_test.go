package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"warren.dev/qemu"
)

// Real static executables, built once per test run into binDir.
var (
	binDir  string
	binOnce = map[string]*sync.Once{"go": new(sync.Once), "c": new(sync.Once), "c-pie": new(sync.Once)}
	binErr  = map[string]error{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "proc-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const goHello = `package main

import (
	"fmt"
	"os"
)

func main() { fmt.Println("hello", os.Args, len(os.Environ())) }
`

const cHello = `#include <stdio.h>
int main(int argc, char **argv) { printf("hello %d %s\n", argc, argv[0]); return 0; }
`

// buildBin builds the executable kind ("go", "c", "c-pie") once and
// returns its path.
func buildBin(t testing.TB, kind string) string {
	t.Helper()
	out := filepath.Join(binDir, kind)
	binOnce[kind].Do(func() { binErr[kind] = build(kind, out) })
	if binErr[kind] != nil {
		t.Fatalf("building the %s test executable: %v", kind, binErr[kind])
	}
	return out
}

func build(kind, out string) error {
	src := filepath.Join(binDir, kind+"-src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	var cmd *exec.Cmd
	switch kind {
	case "go":
		if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n\ngo 1.22\n"), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(goHello), 0o644); err != nil {
			return err
		}
		cmd = exec.Command("go", "build", "-o", out, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOWORK=off", "GOFLAGS=")
	default:
		c := filepath.Join(src, "hello.c")
		if err := os.WriteFile(c, []byte(cHello), 0o644); err != nil {
			return err
		}
		flag := map[string]string{"c": "-static", "c-pie": "-static-pie"}[kind]
		cmd = exec.Command("gcc", flag, "-O2", "-o", out, c)
	}
	cmd.Dir = src
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v\n%s", err, msg)
	}
	return nil
}

// readBin returns the executable of kind; the C ones need gcc.
func readBin(t testing.TB, kind string) []byte {
	t.Helper()
	if kind != "go" {
		qemu.RequireTools(t, "gcc")
	}
	b, err := os.ReadFile(buildBin(t, kind))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
