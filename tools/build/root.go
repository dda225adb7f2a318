package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// WarrenModule is the module path of the Warren repository.
const WarrenModule = "warren.dev"

// defaultRoot is baked in by `make warren` with
// -ldflags "-X warren.dev/tools/build.defaultRoot=DIR", so an installed
// warren binary works from any directory.
var defaultRoot string

// FindRoot returns the Warren module root: $WARREN_ROOT, else the root baked
// in at build time, else the nearest directory at or above the current one
// whose go.mod declares module warren.dev.
func FindRoot() (string, error) {
	if r := os.Getenv("WARREN_ROOT"); r != "" {
		return checkRoot(r, "WARREN_ROOT")
	}
	if defaultRoot != "" {
		return checkRoot(defaultRoot, "the root baked into this binary")
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if p, _ := modulePath(d); p == WarrenModule {
			return d, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", errors.New("cannot find the Warren source tree: set WARREN_ROOT to the directory holding its go.mod (module warren.dev), or run inside it")
}

func checkRoot(dir, from string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	p, err := modulePath(dir)
	if err != nil {
		return "", fmt.Errorf("%s (%s): %w", from, dir, err)
	}
	if p != WarrenModule {
		return "", fmt.Errorf("%s (%s): go.mod declares module %q, not %s", from, dir, p, WarrenModule)
	}
	return dir, nil
}

// modulePath reads the module path declared by dir/go.mod.
func modulePath(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	p := modfile.ModulePath(data)
	if p == "" {
		return "", fmt.Errorf("%s: no module directive", filepath.Join(dir, "go.mod"))
	}
	return p, nil
}
