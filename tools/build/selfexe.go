package build

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/u-root/u-root/pkg/cpio"

	"warren.dev/kernel/procabi"
)

// The image's program can re-execute itself: with Config.SelfExe the
// builder also builds the same package as a plain static linux/amd64
// executable (no kernel, no overlay), and the image's file tree holds it
// at procabi.ProgramExe, which the program's /proc/self/exe names. The
// program's vfork child can exec it, as a process in ring 3
// (docs/processes.md). The image links LoaderPkg, which serves that
// execve.

// LoaderPkg makes the image's program serve execve.
const LoaderPkg = "warren.dev/proc/loader"

// PlainSuffix names the plain executable that link leaves next to an
// image built with Config.SelfExe.
const PlainSuffix = ".linux"

// buildPlain builds pkg (its test binary if test) in dir as an ordinary
// static Linux executable at out.
func buildPlain(ctx context.Context, dir string, env []string, pkg *Package, test bool, out string) error {
	args := []string{"build"}
	if test {
		args = []string{"test", "-c", "-vet=off"}
	}
	args = append(args, "-o", out, pkg.ImportPath)
	_, err := runGo(ctx, dir, env, args...)
	return err
}

// writeSelfExe adds the plain executable at path to an image's file tree.
func writeSelfExe(w cpio.RecordWriter, path string) error {
	exe, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("the program as a plain executable: %w", err)
	}
	return writeFile(w, procabi.ProgramExe, exe, 0o755)
}

// writeSelfArchive writes, as a newc cpio to w, the file tree of an image
// built with Config.SelfExe from a main package: the plain executable.
func writeSelfArchive(w io.Writer, path string) error {
	cw := cpio.NewDedupWriter(cpio.Newc.Writer(w))
	if err := writeSelfExe(cw, path); err != nil {
		return err
	}
	return cpio.WriteTrailer(cw)
}
