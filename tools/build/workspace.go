package build

import (
	"fmt"
	"go/version"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// WorkFile returns a go.work that uses the program's module and the Warren
// module, so a program elsewhere on disk can import warren.dev/system
// without changing its go.mod. Its go directive is the higher of the two
// modules' (a workspace may not be older than a module it uses).
func WorkFile(progModDir, root string) (string, error) {
	goVer := ""
	for _, dir := range []string{progModDir, root} {
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
	for _, dir := range []string{progModDir, root} {
		fmt.Fprintf(&b, "\t%s\n", modfile.AutoQuote(dir))
	}
	b.WriteString(")\n")
	return b.String(), nil
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
