package build

import (
	"context"
	"fmt"
	"go/version"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

// WorkFile returns a go.work that uses the modules in modDirs (the
// program's and the Warren module), so a program elsewhere on disk can
// import warren.dev/system without changing its go.mod, and replaces each
// module path in replace with its directory. Its go directive is the
// highest of the modules' (a workspace may not be older than a module it
// uses).
func WorkFile(replace map[string]string, modDirs ...string) (string, error) {
	goVer := ""
	for _, dir := range modDirs {
		v, err := goDirective(dir)
		if err != nil {
			return "", err
		}
		if goVer == "" || version.Compare("go"+v, "go"+goVer) > 0 {
			goVer = v
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "go %s\n\nuse (\n", goVer)
	for _, dir := range modDirs {
		fmt.Fprintf(&b, "\t%s\n", modfile.AutoQuote(dir))
	}
	b.WriteString(")\n")
	for _, path := range slices.Sorted(maps.Keys(replace)) {
		fmt.Fprintf(&b, "\nreplace %s => %s\n", modfile.AutoQuote(path), modfile.AutoQuote(replace[path]))
	}
	return b.String(), nil
}

// workspace writes the go.work of a build of pkg (with its tests if
// test) to tmp and returns the directory the go command runs in and its
// environment. The workspace
// uses the Warren module at root and the program's own module when it is
// another (so the kernel import resolves without changing its go.mod),
// and replaces netstack's module, when the build uses it, with its shadow,
// which has the receive-window fix (netstackfix.go).
func workspace(ctx context.Context, tmp, root string, pkg *Package, test bool) (string, []string, error) {
	mods, dir := []string{root}, root
	if !pkg.inWarren() {
		mods, dir = []string{pkg.Module.Dir, root}, pkg.Module.Dir
	}
	gowork := filepath.Join(tmp, "go.work")
	env := goEnv(gowork)
	write := func(replace map[string]string) error {
		work, err := WorkFile(replace, mods...)
		if err != nil {
			return err
		}
		return os.WriteFile(gowork, []byte(work), 0o644)
	}
	if err := write(nil); err != nil {
		return "", nil, err
	}
	ns, ok, err := findNetstack(ctx, dir, env, pkg.ImportPath, test)
	if err != nil || !ok {
		return dir, env, err
	}
	fix, err := tcpFixFiles(filepath.Join(ns.Dir, ns.Rel))
	if err != nil {
		return "", nil, err
	}
	shadow, err := shadowModule(shadowCache(), ns, fix)
	if err != nil {
		return "", nil, err
	}
	return dir, env, write(map[string]string{ns.Path: shadow})
}

// goDirective returns the go version declared by dir/go.mod ("1.16" when it
// has none, as the go command assumes).
func goDirective(dir string) (string, error) {
	name := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(name)
	if err != nil {
		return "", err
	}
	f, err := modfile.ParseLax(name, data, nil)
	if err != nil {
		return "", err
	}
	if f.Go == nil {
		return "1.16", nil
	}
	return f.Go.Version, nil
}
