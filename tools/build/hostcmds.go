package build

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/u-root/u-root/pkg/cpio"
)

// The commands tests expect on any Linux machine, in /bin: pwd, which
// os's TestStartProcess finds on $PATH and runs, and cat and sleep, which
// syscall's tests start. Test images carry u-root's (real ones: pwd
// prints the working directory it is started in), from the u-root module
// the Warren module already requires for its cpio package, built as plain
// static executables, a link of a cached build each after the first.

// HostCmds are the packages of the commands test images carry in
// HostCmdDir, each named by its last element.
var HostCmds = []string{
	"github.com/u-root/u-root/cmds/core/pwd",
	"github.com/u-root/u-root/cmds/core/cat",
	"github.com/u-root/u-root/cmds/core/sleep",
}

// HostCmdDir is where test images carry HostCmds.
const HostCmdDir = "/bin"

// buildHostCmds builds HostCmds into the directory dir, in the Warren
// module, whose go.mod names the u-root version.
func buildHostCmds(ctx context.Context, dir string) error {
	root, err := FindRoot()
	if err != nil {
		return err
	}
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, HostCmds...)
	if _, err := runGo(ctx, root, goEnv("off"), args...); err != nil {
		return fmt.Errorf("building %s's commands: %w", HostCmdDir, err)
	}
	return nil
}

// writeHostCmds adds the executables buildHostCmds left in dir to a test
// image's file tree.
func writeHostCmds(w cpio.RecordWriter, dir string) error {
	for _, pkg := range HostCmds {
		name := path.Base(pkg)
		exe, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := writeFile(w, path.Join(HostCmdDir, name), exe, 0o755); err != nil {
			return err
		}
	}
	return nil
}
