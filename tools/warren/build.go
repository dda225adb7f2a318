package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"warren.dev/tools/build"
)

func init() {
	commands = append(commands, &command{
		name:  "build",
		args:  "[-o IMAGE] [-iso] [-append ARGS] PKG",
		help:  "Build compiles the main package PKG with the Warren kernel linked in into a\nmultiboot image (or, with -iso, a GRUB rescue ISO holding it).\n\n",
		flags: func() *flag.FlagSet { return buildFlags(new(buildOpts)) },
		run:   runBuild,
	})
}

type buildOpts struct {
	out        string
	iso        bool
	appendArgs string
	pkg        string
}

func buildFlags(o *buildOpts) *flag.FlagSet {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.StringVar(&o.out, "o", "", "write the image to `file` (default: the package name + .elf, or .iso)")
	fs.BoolVar(&o.iso, "iso", false, "make a bootable GRUB rescue ISO")
	fs.StringVar(&o.appendArgs, "append", "", "kernel command line written into the ISO's grub.cfg")
	return fs
}

func parseBuild(e *env, args []string) (*buildOpts, error) {
	o := new(buildOpts)
	fs := buildFlags(o)
	if err := parseFlags(fs, e, args); err != nil {
		return nil, err
	}
	if fs.NArg() != 1 {
		return nil, usageError(e, "build", "want exactly one package, got %d", fs.NArg())
	}
	if o.appendArgs != "" && !o.iso {
		return nil, usageError(e, "build", "-append needs -iso (an image gets its command line when booted)")
	}
	o.pkg = fs.Arg(0)
	return o, nil
}

func runBuild(ctx context.Context, e *env, args []string) (int, error) {
	o, err := parseBuild(e, args)
	if err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "warren-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)

	image := o.out
	if o.iso || image == "" {
		image = filepath.Join(tmp, "warren.elf")
	}
	pkg, err := build.Build(ctx, build.Config{}, o.pkg, image)
	if err != nil {
		return 0, err
	}
	out := o.out
	if out == "" {
		out = path.Base(pkg.ImportPath) + map[bool]string{false: ".elf", true: ".iso"}[o.iso]
	}
	if o.iso {
		return 0, build.BuildISO(ctx, image, out, o.appendArgs, nil)
	}
	if image != out {
		return 0, moveFile(image, out)
	}
	return 0, nil
}

// moveFile renames, or copies across file systems.
func moveFile(from, to string) error {
	if os.Rename(from, to) == nil {
		return nil
	}
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		return fmt.Errorf("writing the image: %w", err)
	}
	return nil
}
