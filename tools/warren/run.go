package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

func init() {
	commands = append(commands, &command{
		name: "run",
		args: "[-m MEM] [-machine pc|q35|microvm] [-pvh] [-append ARGS] [-timeout D] IMAGE|ISO|DISK|PKG [ARG...]",
		help: "Run boots an image, an ISO (a file ending in .iso), a disk (.raw, .qcow2),\n" +
			"a containerDisk (.tar: its disk) or a package (built first) in QEMU with the\n" +
			"console on standard input and output, and exits with the program's exit\n" +
			"status. ARGs are passed to the program. An image's IMAGE.initrd (made by\n" +
			"warren build -user) is passed along as a boot module. -pvh boots through the\n" +
			"image's PVH entry instead of Multiboot. A file that is not a Warren image (or\n" +
			"a bootable ISO or disk) is refused before QEMU starts, and QEMU failing is an\n" +
			"error (exit 1), never a status of the program.\n\n",
		flags: func() *flag.FlagSet { return runFlags(new(runOpts)) },
		run:   runRun,
	})
}

type runOpts struct {
	mem        string
	cpus       int
	machine    string
	pvh        bool
	appendArgs string
	nic        string
	fwd        string
	timeout    time.Duration
	target     string
	args       []string
}

// maxDefaultCPUs caps -smp's default: past it, a bigger host gives a
// guest more vCPUs than most services use, each a QEMU thread to start.
const maxDefaultCPUs = 8

// defaultCPUs is -smp's default: every CPU the host offers this process,
// at most maxDefaultCPUs.
func defaultCPUs() int { return min(runtime.NumCPU(), maxDefaultCPUs) }

func runFlags(o *runOpts) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&o.mem, "m", "256M", "guest memory (QEMU -m)")
	fs.IntVar(&o.cpus, "smp", defaultCPUs(), fmt.Sprintf("vCPUs (QEMU -smp); the kernel runs threads on all of them (default: the host's CPUs, at most %d)", maxDefaultCPUs))
	fs.StringVar(&o.machine, "machine", "pc", "QEMU machine type: pc, q35 or microvm (qemu.MicroVM: no PCI, so -nic none)")
	fs.BoolVar(&o.pvh, "pvh", false, "boot through the image's PVH entry, not Multiboot (QEMU is given a copy without the Multiboot header, which it would prefer)")
	fs.StringVar(&o.appendArgs, "append", "", "kernel command line, before the program's arguments")
	fs.DurationVar(&o.timeout, "timeout", 0, "stop the machine after this long (0: never)")
	fs.StringVar(&o.nic, "nic", "virtio-net-pci", "QEMU NIC model on user networking (virtio-net-pci, e1000, e1000e), or none")
	fs.StringVar(&o.fwd, "fwd", "", "forward host TCP ports to the guest: `HOST:GUEST[,HOST:GUEST...]`")
	return fs
}

// netArgs returns QEMU's arguments for the NIC on user networking, and
// the host URLs of the forwarded ports.
func (o *runOpts) netArgs() ([]string, []string, error) {
	if o.nic == "none" {
		if o.fwd != "" {
			return nil, nil, errors.New("-fwd needs a NIC")
		}
		return nil, nil, nil
	}
	netdev := "user,id=n0"
	var urls []string
	if o.fwd != "" {
		for _, pair := range strings.Split(o.fwd, ",") {
			host, guest, ok := strings.Cut(pair, ":")
			hp, err1 := strconv.Atoi(host)
			gp, err2 := strconv.Atoi(guest)
			if !ok || err1 != nil || err2 != nil || hp <= 0 || hp > 65535 || gp <= 0 || gp > 65535 {
				return nil, nil, fmt.Errorf("-fwd %q: want HOST:GUEST port pairs", pair)
			}
			netdev += fmt.Sprintf(",hostfwd=tcp:127.0.0.1:%d-:%d", hp, gp)
			urls = append(urls, fmt.Sprintf("http://localhost:%d/ (guest port %d)", hp, gp))
		}
	}
	return []string{"-netdev", netdev, "-device", o.nic + ",netdev=n0"}, urls, nil
}

func parseRun(e *env, args []string) (*runOpts, error) {
	o := new(runOpts)
	fs := runFlags(o)
	if err := parseFlags(fs, e, args); err != nil {
		return nil, err
	}
	if fs.NArg() == 0 {
		return nil, usageError(e, "run", "missing image or package")
	}
	o.target, o.args = fs.Arg(0), fs.Args()[1:]
	return o, nil
}

// cmdline joins the -append text (boot options, environment) and the
// program's arguments, which follow "--".
func (o *runOpts) cmdline() (string, error) {
	args, err := build.Cmdline(nil, o.args)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(o.appendArgs + " " + args), nil
}

func runRun(ctx context.Context, e *env, args []string) (int, error) {
	o, err := parseRun(e, args)
	if err != nil {
		return 0, err
	}
	if o.cpus < 1 {
		return 0, usageError(e, "run", "-smp %d: want at least 1", o.cpus)
	}
	m := qemu.Machine{Memory: o.mem, CPUs: o.cpus, PVH: o.pvh, Timeout: o.timeout, Stdin: e.stdin, Stdout: e.stdout}
	switch o.machine {
	case "pc", "q35":
		m.Type = o.machine
	case "microvm":
		m.Type = qemu.MicroVM
	default:
		return 0, usageError(e, "run", "-machine %q: want pc, q35 or microvm", o.machine)
	}
	if m.Append, err = o.cmdline(); err != nil {
		return 0, err
	}
	var urls []string
	if m.ExtraArgs, urls, err = o.netArgs(); err != nil {
		return 0, usageError(e, "run", "%v", err)
	}
	tmp, err := os.MkdirTemp("", "warren-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	var pkg string // to build first
	fi, statErr := os.Stat(o.target)
	format := build.FormatOf(o.target)
	switch {
	case statErr != nil || !fi.Mode().IsRegular():
		m.Image, pkg = filepath.Join(tmp, "warren.elf"), o.target
	case format == build.FormatELF:
		if err := build.CheckImage(o.target); err != nil {
			return 0, err
		}
		m.Image, m.Modules = o.target, imageModules(o.target)
	case m.Append != "":
		return 0, usageError(e, "run", "a %s file has its command line in grub.cfg: use warren build -format %s -append", format, format)
	case format == build.FormatISO:
		if err := build.CheckISO(o.target); err != nil {
			return 0, err
		}
		m.ISO = o.target
	case format == build.FormatContainerDisk:
		m.Disk, m.DiskFmt = filepath.Join(tmp, "disk.qcow2"), string(build.FormatQCOW2)
		if err := build.ExtractContainerDisk(o.target, m.Disk); err != nil {
			return 0, err
		}
	default:
		if err := build.CheckDisk(o.target, format); err != nil {
			return 0, err
		}
		m.Disk, m.DiskFmt = o.target, string(format)
	}
	if m.Image != "" {
		if err := build.CheckCmdline(m.Image, m.Append); err != nil {
			return 0, usageError(e, "run", "%v", err)
		}
	}
	if pkg != "" {
		if _, err := build.Build(ctx, build.Config{}, pkg, m.Image); err != nil {
			return 0, err
		}
	}
	for _, u := range urls {
		fmt.Fprintf(e.stderr, "warren: forwarding %s\n", u)
	}
	res, err := m.Run(ctx)
	if err != nil {
		return 0, err
	}
	return res.Status, nil
}

// imageModules returns the modules an image is booted with: its archive
// if warren build -user made one.
func imageModules(image string) []qemu.Module {
	archive := image + build.UserArchiveSuffix
	if fi, err := os.Stat(archive); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	return []qemu.Module{{Path: archive, Name: build.ArchiveModule}}
}
