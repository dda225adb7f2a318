package build

import (
	"context"
	"fmt"
	"os"

	"github.com/u-root/u-root/pkg/cpio"
)

// The commands tests expect on any Linux machine: /bin/pwd, which os's
// TestStartProcess finds on $PATH and runs. Test images carry u-root's
// pwd (a real one: it prints the working directory it is started in),
// from the u-root module the Warren module already requires for its cpio
// package, built as a plain static executable, a link of a cached build
// after the first.

// PwdPkg is the pwd test images carry at PwdPath.
const PwdPkg = "github.com/u-root/u-root/cmds/core/pwd"

// PwdPath is where test images carry pwd.
const PwdPath = "/bin/pwd"

// buildPwd builds PwdPkg at out, in the Warren module, whose go.mod
// names the u-root version.
func buildPwd(ctx context.Context, out string) error {
	root, err := FindRoot()
	if err != nil {
		return err
	}
	if _, err := runGo(ctx, root, goEnv("off"), "build", "-o", out, PwdPkg); err != nil {
		return fmt.Errorf("building pwd: %w", err)
	}
	return nil
}

// writePwd adds the pwd executable at path to a test image's file tree.
func writePwd(w cpio.RecordWriter, path string) error {
	exe, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("pwd: %w", err)
	}
	return writeFile(w, PwdPath, exe, 0o755)
}
