package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGeneratedFileIsCurrent fails when kernel/sysnames_amd64.go is not
// what the generator writes from the golang.org/x/sys in go.mod.
func TestGeneratedFileIsCurrent(t *testing.T) {
	want, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../../sysnames_amd64.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Error("kernel/sysnames_amd64.go is stale: run go generate ./kernel")
	}
}
