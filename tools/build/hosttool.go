package build

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// hostTool finds a program the image formats need, or says which Debian
// package installs it (make run and make test install them all).
func hostTool(name, pkg string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found: install the Debian package %s", name, pkg)
	}
	return path, nil
}

// runTool runs a host program; its failure is an error quoting its output.
func runTool(ctx context.Context, path string, args ...string) error {
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s failed: %v\n%s", filepath.Base(path), err, strings.TrimSpace(string(out)))
	}
	return nil
}
