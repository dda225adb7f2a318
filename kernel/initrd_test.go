package kernel

import (
	"testing"

	"warren.dev/boot/initrd"
)

// TestEmptyArchive: without an initrd the tree is the root directory
// alone.
func TestEmptyArchive(t *testing.T) {
	n, err := initrd.Count(emptyArchive)
	if err != nil {
		t.Fatal(err)
	}
	var a initrd.Archive
	if err := a.Init(emptyArchive, make([]initrd.Entry, n)); err != nil {
		t.Fatal(err)
	}
	if i, ok := a.Lookup([]byte("/")); !ok || i != initrd.Root || !a.IsDir(i) || a.Len() != 1 {
		t.Fatalf("Lookup(/) = %d, %v; %d entries", i, ok, a.Len())
	}
}
