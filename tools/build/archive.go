package build

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/u-root/u-root/pkg/cpio"
)

// ArchiveModule is the multiboot module name of a test archive.
const ArchiveModule = "initrd"

// CwdOption is the boot option that gives the program its working directory.
const CwdOption = "warren.cwd="

// WriteTestArchive writes, as a newc cpio to w, what a test binary expects
// to find on disk: the package's source directory (recursively, at its
// absolute host path, so testdata and relative paths work with
// warren.cwd=dir) and extra files such as $GOROOT/lib/time/zoneinfo.zip.
// Every parent directory gets its own entry. .git directories and symlinks
// leading outside dir are left out.
func WriteTestArchive(w io.Writer, dir string, extra ...string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	rec := cpio.NewRecorder()
	cw := cpio.NewDedupWriter(cpio.Newc.Writer(w))
	add := func(p string) error {
		if err := writeParents(cw, p); err != nil {
			return err
		}
		r, err := rec.GetRecord(p)
		if err != nil {
			return err
		}
		r.Name = cpio.Normalize(p)
		return cw.WriteRecord(r)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && d.Name() == ".git":
			return filepath.SkipDir
		case d.Type()&fs.ModeSymlink != 0 && !symlinkInside(dir, p):
			return nil
		case !d.IsDir() && !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0:
			return nil // sockets, devices, pipes
		}
		return add(p)
	})
	if err != nil {
		return fmt.Errorf("archiving %s: %w", dir, err)
	}
	for _, p := range extra {
		if err := add(p); err != nil {
			return fmt.Errorf("archiving %s: %w", p, err)
		}
	}
	return cpio.WriteTrailer(cw)
}

// writeParents writes directory entries for every ancestor of p.
func writeParents(w cpio.RecordWriter, p string) error {
	rel := cpio.Normalize(filepath.ToSlash(filepath.Dir(p)))
	if rel == "." {
		return nil
	}
	parts := strings.Split(rel, "/")
	for i := range parts {
		// The dedup writer drops the ones already written.
		if err := w.WriteRecord(cpio.Directory(path.Join(parts[:i+1]...), 0o755)); err != nil {
			return err
		}
	}
	return nil
}

// symlinkInside reports whether the symlink at p resolves to a path inside
// dir (without following further links outside the tree).
func symlinkInside(dir, p string) bool {
	target, err := os.Readlink(p)
	if err != nil {
		return false
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(p), target)
	}
	rel, err := filepath.Rel(dir, filepath.Clean(target))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// TestArchive writes the test archive of pkg to file, with the zoneinfo
// database of the toolchain that built it.
func TestArchive(ctx context.Context, pkg *Package, file string) error {
	goroot, err := goEnvVar(ctx, pkg.Dir, goEnv("off"), "GOROOT")
	if err != nil {
		return err
	}
	var extra []string
	if zi := filepath.Join(goroot, "lib", "time", "zoneinfo.zip"); fileExists(zi) {
		extra = append(extra, zi)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := WriteTestArchive(f, pkg.Dir, extra...); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
