package bench

import (
	"io"
	"os"
	"path"
	"sort"

	"github.com/u-root/u-root/pkg/cpio"
)

// InitramfsFile is one host file put into the initramfs.
type InitramfsFile struct {
	Name string // path in the archive, without a leading slash
	Path string // file on the host
	Perm uint64 // permission bits
}

// WriteInitramfs writes a newc cpio archive for the Linux guest: the
// directories init mounts on, /dev/console (so init's output reaches the
// serial console before devtmpfs is mounted) and the files, each
// directory before what it holds.
func WriteInitramfs(w io.Writer, files []InitramfsFile) error {
	recs := []cpio.Record{
		cpio.Directory("dev", 0o755),
		cpio.CharDev("dev/console", 0o600, 5, 1),
		cpio.Directory("proc", 0o555),
		cpio.Directory("sys", 0o555),
	}
	dirs := map[string]bool{"dev": true, "proc": true, "sys": true}
	var addDir func(d string)
	addDir = func(d string) {
		if d == "." || d == "" || dirs[d] {
			return
		}
		addDir(path.Dir(d))
		dirs[d] = true
		recs = append(recs, cpio.Directory(d, 0o755))
	}
	sorted := append([]InitramfsFile(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, f := range sorted {
		data, err := os.ReadFile(f.Path)
		if err != nil {
			return err
		}
		addDir(path.Dir(f.Name))
		recs = append(recs, cpio.StaticRecord(data, cpio.Info{Name: f.Name, Mode: cpio.S_IFREG | f.Perm}))
	}
	cpio.MakeAllReproducible(recs)
	for i := range recs {
		recs[i].Ino = uint64(i + 1)
	}
	rw := cpio.Newc.Writer(w)
	if err := cpio.WriteRecords(rw, recs); err != nil {
		return err
	}
	return cpio.WriteTrailer(rw)
}

// countingWriter counts what passes through it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// initramfsSize is the size of the archive WriteInitramfs makes of files.
func initramfsSize(files []InitramfsFile) (int64, error) {
	var c countingWriter
	err := WriteInitramfs(&c, files)
	return c.n, err
}
