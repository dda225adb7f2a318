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

	"warren.dev/kernel/files"
)

// ArchiveModule is the multiboot module name of a test archive.
const ArchiveModule = "initrd"

// CwdOption is the boot option that gives the program its working directory.
const CwdOption = "warren.cwd="

// WriteTestArchive writes, as a newc cpio to w, what a test binary expects
// to find on disk: each directory of trees (recursively, at its absolute
// host path, so testdata and relative paths work with warren.cwd=dir) and
// files such as $GOROOT/lib/time/zoneinfo.zip. Every parent directory gets
// its own entry. .git directories and symlinks leading outside their tree
// are left out. The host paths tests expect of any Linux machine
// (hostEntries) come last, then the test binary as a plain executable
// (selfexe.go) when selfExe names it, and the commands in cmdDir in
// HostCmdDir when cmdDir names it (hostcmds.go).
func WriteTestArchive(w io.Writer, selfExe, cmdDir string, trees []string, files ...string) error {
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
	for _, dir := range trees {
		dir, err := filepath.Abs(dir)
		if err != nil {
			return err
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
	}
	for _, p := range files {
		if err := add(p); err != nil {
			return fmt.Errorf("archiving %s: %w", p, err)
		}
	}
	for _, r := range hostEntries() {
		if err := writeParents(cw, r.Name); err != nil {
			return err
		}
		if err := cw.WriteRecord(r); err != nil {
			return err
		}
	}
	if selfExe != "" {
		if err := writeSelfExe(cw, selfExe); err != nil {
			return err
		}
	}
	if cmdDir != "" {
		if err := writeHostCmds(cw, cmdDir); err != nil {
			return err
		}
	}
	return cpio.WriteTrailer(cw)
}

// hostEntries are what the os package's tests list or enter on Linux: an
// empty /usr/bin, and /etc holding the served files. Those entries are
// empty: opening one gets the served contents, which come first.
func hostEntries() []cpio.Record {
	recs := []cpio.Record{cpio.Directory("usr/bin", 0o755)}
	for _, p := range files.EtcServed {
		recs = append(recs, cpio.StaticFile(strings.TrimPrefix(p, "/"), "", 0o644))
	}
	return recs
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

// TestArchive writes the test archive of pkg to file: what go test's run of
// it would find on disk. That is the package's directory; the testdata
// directories and plain files (go.mod, ...) of its ancestors up to its
// module's root, which tests reach by relative path (../testdata) and
// internal/testenv reads to find GOROOT; for a standard-library package the
// source files (as built for linux/amd64) of every standard package its
// test is built from, which tests that read the library's source read;
// the zoneinfo database of the toolchain that built it; the plain test
// binary at selfExe, if not empty; and HostCmds, built beside file.
func TestArchive(ctx context.Context, pkg *Package, file, selfExe string) error {
	goroot, err := goEnvVar(ctx, pkg.Dir, goEnv("off"), "GOROOT")
	if err != nil {
		return err
	}
	root := filepath.Join(goroot, "src")
	if pkg.Module != nil {
		root = pkg.Module.Dir
	}
	trees := []string{pkg.Dir}
	var files []string
	for d := pkg.Dir; d != root && strings.HasPrefix(d, root+string(filepath.Separator)); {
		d = filepath.Dir(d)
		if fi, err := os.Stat(filepath.Join(d, "testdata")); err == nil && fi.IsDir() {
			trees = append(trees, filepath.Join(d, "testdata"))
		}
		files = append(files, plainFiles(d)...)
	}
	if pkg.Standard {
		out, err := runGo(ctx, pkg.Dir, goEnv("off"), "list", "-deps", "-test", "-tags="+BuildTag, "-f",
			`{{if .Standard}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}} {{end}}{{range .SFiles}}{{$d}}/{{.}} {{end}}{{range .HFiles}}{{$d}}/{{.}} {{end}}{{end}}`,
			pkg.ImportPath)
		if err != nil {
			return err
		}
		files = append(files, strings.Fields(string(out))...)
	}
	if zi := filepath.Join(goroot, "lib", "time", "zoneinfo.zip"); fileExists(zi) {
		files = append(files, zi)
	}
	cmdDir := file + ".bin"
	if err := buildHostCmds(ctx, cmdDir); err != nil {
		return err
	}
	defer os.RemoveAll(cmdDir)
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := WriteTestArchive(f, selfExe, cmdDir, trees, files...); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// plainFiles lists the regular files directly in dir; an unreadable dir
// has none.
func plainFiles(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var files []string
	for _, e := range ents {
		if e.Type().IsRegular() {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	return files
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
