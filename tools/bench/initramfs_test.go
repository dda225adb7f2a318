package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
)

func TestWriteInitramfs(t *testing.T) {
	dir := t.TempDir()
	initPath, modPath := filepath.Join(dir, "init"), filepath.Join(dir, "e1000.ko")
	os.WriteFile(initPath, []byte("#!init"), 0o644)
	os.WriteFile(modPath, []byte("module bytes"), 0o644)
	files := []InitramfsFile{
		{Name: "lib/modules/e1000.ko", Path: modPath, Perm: 0o644},
		{Name: "init", Path: initPath, Perm: 0o755},
	}
	var buf bytes.Buffer
	if err := WriteInitramfs(&buf, files); err != nil {
		t.Fatal(err)
	}
	if n, err := initramfsSize(files); err != nil || n != int64(buf.Len()) {
		t.Errorf("initramfsSize = %d, %v; archive is %d bytes", n, err, buf.Len())
	}
	recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(buf.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	byName := map[string]cpio.Record{}
	for _, r := range recs {
		names = append(names, r.Name)
		byName[r.Name] = r
	}
	want := []string{"dev", "dev/console", "proc", "sys", "init", "lib", "lib/modules", "lib/modules/e1000.ko"}
	if len(names) != len(want) {
		t.Fatalf("records %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("records %q, want %q", names, want)
		}
	}
	if c := byName["dev/console"]; c.Mode != cpio.S_IFCHR|0o600 || c.Rmajor != 5 || c.Rminor != 1 {
		t.Errorf("dev/console: %v", c.Info)
	}
	r := byName["init"]
	if r.Mode != cpio.S_IFREG|0o755 {
		t.Errorf("init mode %o", r.Mode)
	}
	got := make([]byte, r.FileSize)
	if _, err := r.ReadAt(got, 0); err != nil || string(got) != "#!init" {
		t.Errorf("init contents %q, %v", got, err)
	}
	if d := byName["lib/modules"]; d.Mode != cpio.S_IFDIR|0o755 {
		t.Errorf("lib/modules mode %o", d.Mode)
	}
}
