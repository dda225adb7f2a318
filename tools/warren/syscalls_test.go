package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"warren.dev/kernel"
)

// TestReadmeTableIsCurrent keeps the README's syscall list generated.
func TestReadmeTableIsCurrent(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := replaceTable(doc, tableBegin, tableEnd, syscallTable())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, want) {
		t.Fatal("README.md's syscall table is stale: run go run ./tools/warren syscalls -w README.md")
	}
}

// TestSyscallTable rejects duplicate numbers and missing handlers.
func TestSyscallTable(t *testing.T) {
	seen := map[uint64]bool{}
	for _, s := range kernel.Syscalls() {
		if seen[s.Nr] {
			t.Errorf("syscall %d (%s) listed twice", s.Nr, s.Name())
		}
		seen[s.Nr] = true
		if s.Fn == nil {
			t.Errorf("syscall %d (%s) has no handler", s.Nr, s.Name())
		}
		if s.Name() == "unknown" && s.Nr < 500 {
			t.Errorf("syscall %d has no Linux name", s.Nr)
		}
	}
	if !strings.Contains(syscallTable(), "| 202 | futex |") {
		t.Error("table lacks futex")
	}
}
