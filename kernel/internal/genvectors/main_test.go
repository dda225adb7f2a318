package main

import (
	"bytes"
	"os"
	"testing"
)

func TestGeneratedFileIsCurrent(t *testing.T) {
	have, err := os.ReadFile("../../vectors_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, Generate()) {
		t.Fatal("kernel/vectors_amd64.s is stale: run go generate ./kernel")
	}
}
