// Package build turns Go programs and test binaries into bootable Warren
// images: it links the kernel (warren.dev/system) and the multiboot header
// in with a go build -overlay, then fills the header's addresses.
package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// ldflags puts .text at 0x101000 and the ELF headers at 0x100000. The
// symbol table stays (no -s): Patch needs it.
const ldflags = "-ldflags=-T 0x101000"

// BuildTag is set for every image build: the kernel's files that only make
// sense in an image (references to the boot header) carry //go:build warren.
const BuildTag = "warren"

// Build compiles the main package named by arg into a bootable image at
// out. With cfg.SelfExe, out+UserArchiveSuffix is the image's file tree,
// holding the program as a plain executable.
func Build(ctx context.Context, cfg Config, arg, out string) (*Package, error) {
	pkg, err := listOne(ctx, cfg, arg)
	if err != nil {
		return nil, err
	}
	if pkg.Name != "main" {
		return pkg, fmt.Errorf("%s is package %s, not a main package: only a command can be built into an image", pkg.ImportPath, pkg.Name)
	}
	if err := link(ctx, cfg, pkg, out, false); err != nil || !cfg.SelfExe {
		return pkg, err
	}
	return pkg, archiveSelf(out)
}

// archiveSelf moves the plain executable next to the image at out into
// the image's file tree, out+UserArchiveSuffix.
func archiveSelf(out string) error {
	plain := out + PlainSuffix
	defer os.Remove(plain)
	f, err := os.Create(out + UserArchiveSuffix)
	if err != nil {
		return err
	}
	if err := writeSelfArchive(f, plain); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// BuildTest compiles the test binary of the package named by arg (any
// package, standard library included) into a bootable image at out.
func BuildTest(ctx context.Context, cfg Config, arg, out string) (*Package, error) {
	pkg, err := listOne(ctx, cfg, arg)
	if err != nil {
		return nil, err
	}
	return pkg, BuildTestPackage(ctx, cfg, pkg, out)
}

// BuildTestPackage is BuildTest for a package already resolved by List.
// With cfg.SelfExe it leaves the plain test binary at out+PlainSuffix,
// for TestArchive.
func BuildTestPackage(ctx context.Context, cfg Config, pkg *Package, out string) error {
	return link(ctx, cfg, pkg, out, true)
}

// link runs go build (or go test -c) with the overlay, then patches the
// multiboot header.
func link(ctx context.Context, cfg Config, pkg *Package, out string, test bool) error {
	root, err := cfg.root()
	if err != nil {
		return err
	}
	if pkg.Module != nil && pkg.Module.Path == WarrenModule {
		root = pkg.Module.Dir // build a Warren package with its own tree
	}
	wd, err := cfg.dir()
	if err != nil {
		return err
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(wd, out)
	}
	tmp, err := os.MkdirTemp("", "warren-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	dir, env, err := workspace(ctx, tmp, root, pkg, test)
	if err != nil {
		return err
	}
	goroot, err := goEnvVar(ctx, dir, env, "GOROOT")
	if err != nil {
		return err
	}
	ovl, err := overlayFor(tmp, goroot, root, pkg, test, cfg.SelfExe)
	if err != nil {
		return err
	}
	ovlPath := filepath.Join(tmp, "overlay.json")
	if err := writeOverlay(ovlPath, ovl); err != nil {
		return err
	}
	args := []string{"build"}
	if test {
		args = []string{"test", "-c", "-vet=off"}
	}
	args = append(args, "-tags="+BuildTag, "-overlay="+ovlPath, ldflags, "-o", out, pkg.ImportPath)
	if _, err := runGo(ctx, dir, env, args...); err != nil {
		return err
	}
	if _, err := Patch(out); err != nil {
		return err
	}
	if cfg.SelfExe {
		return buildPlain(ctx, dir, env, pkg, test, out+PlainSuffix)
	}
	return nil
}
