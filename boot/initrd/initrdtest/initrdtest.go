// Package initrdtest makes newc archives for the tests of code that reads
// an initrd (boot/initrd, kernel/files), with u-root's writer, which
// tools/build uses too.
package initrdtest

import (
	"bytes"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
)

// Newc writes recs and a trailer.
func Newc(t testing.TB, recs ...cpio.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := cpio.Newc.Writer(&buf)
	if err := cpio.WriteRecords(w, recs); err != nil {
		t.Fatal(err)
	}
	if err := cpio.WriteTrailer(w); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
