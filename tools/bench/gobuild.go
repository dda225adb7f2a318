package bench

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// shimDir is the stand-in for warren.dev/net, relative to the Warren root.
const shimDir = "tools/bench/netshim"

// goBuildLinux builds pkg (relative to root) as a static linux/amd64
// program at out. With shim, warren.dev/net is replaced by the standard
// library's sockets (package netshim), through an overlay.
func goBuildLinux(ctx context.Context, root, tmp, pkg, out string, shim bool) error {
	args := []string{"build", "-trimpath", "-o", out}
	if shim {
		ovl, err := shimOverlay(root)
		if err != nil {
			return err
		}
		path := filepath.Join(tmp, "netshim-overlay.json")
		data, _ := json.Marshal(map[string]any{"Replace": ovl})
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		args = append(args, "-overlay", path)
	}
	cmd := goCommand(ctx, root, append(args, pkg)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return &buildError{pkg: pkg, err: err, out: string(out)}
	}
	return nil
}

// shimOverlay maps every Go file of warren.dev/net to nothing and adds the
// shim's files to the package's directory.
func shimOverlay(root string) (map[string]string, error) {
	ovl := map[string]string{}
	own, err := filepath.Glob(filepath.Join(root, "net", "*.go"))
	if err != nil {
		return nil, err
	}
	for _, f := range own {
		ovl[f] = ""
	}
	shim, err := filepath.Glob(filepath.Join(root, shimDir, "*.go"))
	if err != nil {
		return nil, err
	}
	for _, f := range shim {
		if !strings.HasSuffix(f, "_test.go") {
			ovl[filepath.Join(root, "net", "zz_benchshim_"+filepath.Base(f))] = f
		}
	}
	return ovl, nil
}

type buildError struct {
	pkg string
	err error
	out string
}

func (e *buildError) Error() string {
	return "building " + e.pkg + " for Linux: " + e.err.Error() + "\n" + e.out
}

// goCommand runs the go command in root for linux/amd64 without cgo, in
// the Warren module alone.
func goCommand(ctx context.Context, root string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOWORK=off")
	return cmd
}
