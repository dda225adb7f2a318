package build

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"

	"warren.dev/kernel/procabi"
)

// TestSelfArchive checks that the plain executable lands where the
// program's /proc/self/exe points, executable, in both kinds of archive.
func TestSelfArchive(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "prog.linux")
	if err := os.WriteFile(exe, []byte("\x7fELF plain"), 0o644); err != nil {
		t.Fatal(err)
	}
	var self, test bytes.Buffer
	if err := writeSelfArchive(&self, exe); err != nil {
		t.Fatal(err)
	}
	if err := WriteTestArchive(&test, exe, "", nil); err != nil {
		t.Fatal(err)
	}
	for name, buf := range map[string]*bytes.Buffer{"self": &self, "test": &test} {
		recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(buf.Bytes())))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range recs {
			if "/"+r.Name != procabi.ProgramExe {
				continue
			}
			found = true
			data, _ := io.ReadAll(io.NewSectionReader(r.ReaderAt, 0, int64(r.FileSize)))
			if r.Mode != cpio.S_IFREG|0o755 || string(data) != "\x7fELF plain" {
				t.Errorf("%s archive: %s mode %o, %q", name, r.Name, r.Mode, data)
			}
		}
		if !found {
			t.Errorf("%s archive has no %s", name, procabi.ProgramExe)
		}
	}
	if err := writeSelfArchive(io.Discard, exe+".missing"); err == nil {
		t.Error("no error for a missing executable")
	}
}
