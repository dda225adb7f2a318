package build_test

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"warren.dev/tools/build"
)

// hasKernel reports whether the image links the kernel's 64-bit entry.
func hasKernel(t *testing.T, image string) bool {
	return hasSymbolWith(t, image, func(name string) bool { return strings.HasPrefix(name, build.EntrySymbol) })
}

// hasSymbol reports whether the image has a symbol of this name.
func hasSymbol(t *testing.T, image, name string) bool {
	return hasSymbolWith(t, image, func(s string) bool { return s == name })
}

func hasSymbolWith(t *testing.T, image string, match func(string) bool) bool {
	t.Helper()
	f, err := elf.Open(image)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if match(s.Name) {
			return true
		}
	}
	return false
}

// checkImage checks that image links the kernel and has a patched header.
func checkImage(t *testing.T, image string) {
	t.Helper()
	if !hasKernel(t, image) {
		t.Errorf("%s does not link %s", image, build.EntrySymbol)
	}
	data, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	place, want, err := build.Layout(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFields(data[place.Offset:]); got != want {
		t.Errorf("header not patched: got %+v, want %+v", got, want)
	}
}

func TestBuildInWarrenModule(t *testing.T) {
	checkImage(t, helloImage(t))
}

func TestBuildNotMain(t *testing.T) {
	_, err := build.Build(context.Background(), standInConfig(), "./examples/lib", filepath.Join(t.TempDir(), "x"))
	if err == nil || !strings.Contains(err.Error(), "warren.dev/examples/lib is package lib, not a main package") {
		t.Fatalf("got %v, want a not-a-main-package error naming warren.dev/examples/lib", err)
	}
}

func TestBuildFailurePassesGoOutput(t *testing.T) {
	dir := t.TempDir()
	if err := writeFiles(dir, map[string]string{
		"go.mod":  "module example.com/broken\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() { undefinedThing() }\n",
	}); err != nil {
		t.Fatal(err)
	}
	_, err := build.Build(context.Background(), build.Config{Root: fixture.root, Dir: dir}, ".", filepath.Join(dir, "x"))
	if err == nil || !strings.Contains(err.Error(), "undefined: undefinedThing") {
		t.Fatalf("got %v, want go's compile error", err)
	}
}

func TestBuildWithoutGo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := build.Build(context.Background(), standInConfig(), "./examples/hello", filepath.Join(t.TempDir(), "x"))
	if err == nil || !strings.Contains(err.Error(), "Go toolchain") {
		t.Fatalf("got %v, want a missing-toolchain error", err)
	}
}

// outsideModule writes a program in its own module, with a test.
func outsideModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := writeFiles(dir, map[string]string{
		"go.mod":              "module example.com/prog\n\ngo 1.22\n",
		"cmd/prog/main.go":    "package main\n\nimport \"example.com/prog/greet\"\n\nfunc main() { println(greet.Hello()) }\n",
		"greet/greet.go":      "package greet\n\nfunc Hello() string { return \"hello\" }\n",
		"greet/greet_test.go": "package greet\n\nimport \"testing\"\n\nfunc TestHello(t *testing.T) {}\n",
	}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBuildOutsideModule(t *testing.T) {
	dir := outsideModule(t)
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	ctx := context.Background()

	// From inside the module, by relative path and by import path.
	for _, arg := range []string{"./cmd/prog", "example.com/prog/cmd/prog"} {
		out := filepath.Join(t.TempDir(), "prog.elf")
		cfg := build.Config{Root: fixture.root, Dir: dir}
		if _, err := build.Build(ctx, cfg, arg, out); err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		checkImage(t, out)
	}
	// From elsewhere, by absolute directory.
	out := filepath.Join(t.TempDir(), "prog.elf")
	if _, err := build.Build(ctx, standInConfig(), filepath.Join(dir, "cmd", "prog"), out); err != nil {
		t.Fatal(err)
	}
	checkImage(t, out)

	// The program's module is left as it was.
	if after, _ := os.ReadFile(filepath.Join(dir, "go.mod")); !bytes.Equal(after, gomod) {
		t.Errorf("go.mod changed:\n%s", after)
	}
	for _, f := range []string{"go.work", "go.work.sum", "go.sum", "cmd/prog/zz_warren_system.go"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was created in the program's module", f)
		}
	}
}

func TestBuildTest(t *testing.T) {
	ctx := context.Background()
	outside := outsideModule(t)
	for _, tc := range []struct {
		name, arg, dir, pkgName string
	}{
		{"std", "strings", fixture.root, "strings"},
		{"warren", "./examples/lib", fixture.root, "lib"},
		{"outside", "./greet", outside, "greet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "test.elf")
			pkg, err := build.BuildTest(ctx, build.Config{Root: fixture.root, Dir: tc.dir}, tc.arg, out)
			if err != nil {
				t.Fatal(err)
			}
			if pkg.Name != tc.pkgName || !pkg.HasTests() {
				t.Errorf("package %s: name %q, has tests %v", pkg.ImportPath, pkg.Name, pkg.HasTests())
			}
			checkImage(t, out)
		})
	}
}

func TestList(t *testing.T) {
	pkgs, err := build.List(context.Background(), standInConfig(), "./examples/...", "strings")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pkgs {
		got = append(got, p.ImportPath)
	}
	want := "warren.dev/examples/hello warren.dev/examples/lib strings"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
	if _, err := build.List(context.Background(), standInConfig(), "./nonexistent"); err == nil {
		t.Error("listing a missing directory succeeded")
	}
}

// An image of the real tree links netstack's fixed receiver: the build's
// workspace put the shadow in place of netstack's module
// (netstackfix.go).
func TestImageHasNetstackFix(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "warren.elf")
	if _, err := build.Build(context.Background(), build.Config{Root: root, Dir: root}, "./examples/hello", out); err != nil {
		t.Fatal(err)
	}
	const tcp = "gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	for _, name := range []string{tcp + ".(*receiver).acceptable", tcp + ".(*receiver).acceptableAdvertised"} {
		if !hasSymbol(t, out, name) {
			t.Errorf("the image lacks %s", name)
		}
	}
}
