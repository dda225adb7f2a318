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
		name: "build",
		args: "[-o IMAGE] [-format elf|iso|raw|qcow2|containerdisk] [-append ARGS] ([-selfexe] PKG | -user 'FILE [ARG...]'...)",
		help: "Build compiles the main package PKG with the Warren kernel linked in into a\n" +
			"multiboot image (-format elf, the default), or a bootable file holding it and\n" +
			"GRUB: a rescue ISO (-format iso, or -iso), a disk that boots from BIOS and\n" +
			"UEFI (raw: an MBR and a FAT EFI system partition), that disk as qcow2, or a\n" +
			"KubeVirt containerDisk (an OCI image layout tarball whose layer holds\n" +
			"/disk/warren.qcow2). -append builds the command line into the image (elf), or\n" +
			"writes it into GRUB's grub.cfg, so the image boots with it; options given at\n" +
			"boot add to it.\n\n" +
			"With -selfexe, PKG is also built as a plain static Linux executable, carried\n" +
			"in IMAGE.initrd at /warren/program, which the program's /proc/self/exe names:\n" +
			"the program can then start processes (os/exec), itself included.\n\n" +
			"With -user instead of PKG, the image runs static Linux x86-64 executables\n" +
			"(gcc -static, CGO_ENABLED=0 go build, static-pie), each as a process of its\n" +
			"own with the arguments that follow FILE in the flag's value; they are checked\n" +
			"now, and a dynamically linked one is refused. The executables travel in\n" +
			"IMAGE.initrd, a multiboot module that warren run passes along (an ISO holds\n" +
			"it). The machine exits with the status of the last process to end.\n\n",
		flags: func() *flag.FlagSet { return buildFlags(new(buildOpts)) },
		run:   runBuild,
	})
}

type buildOpts struct {
	out        string
	format     build.Format
	iso        bool // -iso, kept from before -format
	appendArgs string
	user       userFlag
	selfExe    bool
	pkg        string
}

// userFlag collects -user values.
type userFlag []build.UserProgram

func (u *userFlag) String() string { return "" }

func (u *userFlag) Set(s string) error {
	p, err := build.ParseUserProgram(s)
	if err != nil {
		return err
	}
	*u = append(*u, p)
	return nil
}

func buildFlags(o *buildOpts) *flag.FlagSet {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.StringVar(&o.out, "o", "", "write the image to `file` (default: the package's or the first -user file's name + .elf, or .iso)")
	o.format = build.FormatELF
	fs.Func("format", "what to write: `elf|iso|raw|qcow2|containerdisk` (default elf)", func(s string) (err error) {
		o.format, err = build.ParseFormat(s)
		return err
	})
	fs.BoolVar(&o.iso, "iso", false, "the same as -format iso")
	fs.StringVar(&o.appendArgs, "append", "", "kernel command line built into the image (elf) or written into grub.cfg (the other formats)")
	fs.BoolVar(&o.selfExe, "selfexe", false, "also build PKG as a plain Linux executable the program can exec (/proc/self/exe)")
	fs.Var(&o.user, "user", "run the static Linux executable `'FILE [ARG...]'` as a process (repeatable; instead of PKG)")
	return fs
}

func parseBuild(e *env, args []string) (*buildOpts, error) {
	o := new(buildOpts)
	fs := buildFlags(o)
	if err := parseFlags(fs, e, args); err != nil {
		return nil, err
	}
	switch {
	case len(o.user) > 0 && fs.NArg() > 0:
		return nil, usageError(e, "build", "-user and a package (%s) cannot be used together: an image runs either a Go program or user programs", fs.Arg(0))
	case len(o.user) > 0 && o.selfExe:
		return nil, usageError(e, "build", "-selfexe applies to a package, not to -user")
	case len(o.user) == 0 && fs.NArg() != 1:
		return nil, usageError(e, "build", "want exactly one package, got %d", fs.NArg())
	}
	if o.iso {
		if o.format != build.FormatELF && o.format != build.FormatISO {
			return nil, usageError(e, "build", "-iso and -format %s cannot be used together", o.format)
		}
		o.format = build.FormatISO
	}
	if err := build.CheckCmdline("", o.appendArgs); err != nil {
		return nil, usageError(e, "build", "-append: %v", err)
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

	elf := o.format == build.FormatELF
	image := o.out
	if !elf || image == "" {
		image = filepath.Join(tmp, "warren.elf")
	}
	name, err := o.build(ctx, image)
	if err != nil {
		return 0, err
	}
	out := o.out
	if out == "" {
		out = name + o.format.Ext()
	}
	var mods []build.BootModule
	if len(o.user) > 0 || o.selfExe {
		mods = []build.BootModule{{Path: image + build.UserArchiveSuffix, Name: build.ArchiveModule}}
	}
	if !elf {
		return 0, build.WriteFormat(ctx, o.format, image, out, o.appendArgs, mods)
	}
	if o.appendArgs != "" {
		if err := build.BakeCmdline(image, o.appendArgs); err != nil {
			return 0, err
		}
	}
	if image == out {
		return 0, nil
	}
	if err := moveFile(image, out); err != nil {
		return 0, err
	}
	for _, m := range mods {
		if err := moveFile(m.Path, out+build.UserArchiveSuffix); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// build builds the image and returns the name of what it runs: the
// package's last element, or the first user program's file name.
func (o *buildOpts) build(ctx context.Context, image string) (string, error) {
	if len(o.user) > 0 {
		return filepath.Base(o.user[0].Path), build.BuildUser(ctx, build.Config{}, o.user, image)
	}
	pkg, err := build.Build(ctx, build.Config{SelfExe: o.selfExe}, o.pkg, image)
	if err != nil {
		return "", err
	}
	return path.Base(pkg.ImportPath), nil
}

// moveFile renames, or copies across file systems.
func moveFile(from, to string) error {
	if os.Rename(from, to) == nil {
		return nil
	}
	fi, err := os.Stat(from)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.WriteFile(to, data, fi.Mode().Perm()); err != nil {
		return fmt.Errorf("writing %s: %w", to, err)
	}
	return nil
}
