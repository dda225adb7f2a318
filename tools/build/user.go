package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/u-root/u-root/pkg/cpio"

	"warren.dev/proc"
)

// InitPkg is the Warren program of an image built from user programs: it
// starts them as processes.
const InitPkg = "warren.dev/proc/init"

// UserArchiveSuffix names the archive of a user-program image: the image's
// path plus this suffix. It is the image's file tree, a multiboot module.
const UserArchiveSuffix = ".initrd"

// A UserProgram is a static Linux x86-64 executable on the host that an
// image runs as a process.
type UserProgram struct {
	Path string   // the executable on the host
	Args []string // its arguments after argv[0], which is /bin/<base name of Path>
}

// ParseUserProgram reads the value of a -user flag: the executable's path
// and its arguments, separated by white space.
func ParseUserProgram(s string) (UserProgram, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return UserProgram{}, fmt.Errorf("-user %q: want an executable, optionally followed by its arguments", s)
	}
	return UserProgram{Path: f[0], Args: f[1:]}, nil
}

// BuildUser builds an image at out that runs progs as processes: the
// kernel image of InitPkg, and next to it, at out+UserArchiveSuffix, its
// file tree holding the executables and the list init reads. Relative
// paths are taken from cfg.Dir. Every executable is checked as the loader
// will check it before anything is built.
func BuildUser(ctx context.Context, cfg Config, progs []UserProgram, out string) error {
	if len(progs) == 0 {
		return errors.New("no user programs")
	}
	root, err := cfg.root()
	if err != nil {
		return err
	}
	wd, err := cfg.dir()
	if err != nil {
		return err
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(wd, p)
	}
	progs = append([]UserProgram(nil), progs...)
	for i := range progs {
		progs[i].Path = abs(progs[i].Path)
	}
	var archive bytes.Buffer
	if err := writeUserArchive(&archive, progs); err != nil {
		return err
	}
	out = abs(out)
	if err := os.WriteFile(out+UserArchiveSuffix, archive.Bytes(), 0o644); err != nil {
		return err
	}
	// InitPkg is resolved in the Warren module, wherever the build runs.
	if _, err := Build(ctx, Config{Root: root, Dir: root}, InitPkg, out); err != nil {
		os.Remove(out + UserArchiveSuffix)
		return err
	}
	return nil
}

// writeUserArchive writes, as a newc cpio to w, the file tree of a
// user-program image: each executable at /bin/<base name> (mode 0755; a
// base name already taken by another file gets a -2, -3... suffix) and the
// manifest at proc.ManifestPath. An executable the loader would refuse is
// an error naming it.
func writeUserArchive(w io.Writer, progs []UserProgram) error {
	cw := cpio.NewDedupWriter(cpio.Newc.Writer(w))
	names := map[string]string{} // host path → path in the image
	taken := map[string]bool{}
	var cmds []proc.Command
	for _, p := range progs {
		name, ok := names[p.Path]
		if !ok {
			exe, err := os.ReadFile(p.Path)
			if err != nil {
				return err
			}
			if _, err := proc.Parse(exe); err != nil {
				return fmt.Errorf("%s: %w", p.Path, err)
			}
			name = freeName(taken, "/bin/"+filepath.Base(p.Path))
			names[p.Path], taken[name] = name, true
			if err := writeFile(cw, name, exe, 0o755); err != nil {
				return err
			}
		}
		cmds = append(cmds, proc.Command{Path: name, Args: p.Args})
	}
	manifest, err := proc.EncodeManifest(cmds)
	if err != nil {
		return err
	}
	if err := writeFile(cw, proc.ManifestPath, manifest, 0o644); err != nil {
		return err
	}
	return cpio.WriteTrailer(cw)
}

// freeName returns name, or name-2, name-3... if it is taken.
func freeName(taken map[string]bool, name string) string {
	free := name
	for i := 2; taken[free]; i++ {
		free = name + "-" + strconv.Itoa(i)
	}
	return free
}

// writeFile writes a regular file and its parent directories.
func writeFile(w cpio.RecordWriter, name string, data []byte, perm uint64) error {
	name = strings.TrimPrefix(name, "/")
	if err := writeParents(w, name); err != nil {
		return err
	}
	return w.WriteRecord(cpio.StaticRecord(data, cpio.Info{Name: name, Mode: cpio.S_IFREG | perm}))
}
