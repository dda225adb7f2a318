// Package qemu is the one place that knows Warren's QEMU machine: how an
// image is booted (directly with -kernel through Multiboot or PVH, or from
// a GRUB ISO or disk), on which machine type, which accelerator to use, and how the
// program's exit status comes back: through the isa-debug-exit device, or
// in the kernel's StatusLine on a machine without one.
package qemu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"warren.dev/boot/multiboot"
)

// Binary is the QEMU system emulator Warren runs, from the Debian package
// qemu-system-x86.
const Binary = "qemu-system-x86_64"

// OVMF is the UEFI firmware Machine.UEFI boots with, from the Debian
// package ovmf: code and variable store in one image, which QEMU's -bios
// maps read-only, so variables live in memory and the file is never
// written.
const OVMF = "/usr/share/ovmf/OVMF.fd"

// Devices of the machine, shared with the kernel's board description.
const (
	// DebugExitPort is the isa-debug-exit device: writing v there stops
	// QEMU with exit code (v<<1)|1.
	DebugExitPort = 0xf4
)

// MicroVM is QEMU's microvm machine as Warren runs on it: no PCI, its
// virtio-mmio transports on the first I/O APIC (without the second one
// and without ACPI, slot i has GSI 5+i). Machine.Args makes its
// virtio-mmio devices modern (virtio-mmio.force-legacy=false): QEMU
// defaults to the legacy layout, which Warren refuses.
const MicroVM = "microvm,ioapic2=off,acpi=off"

// MicroVMACPI is microvm with its ACPI tables (QEMU's default): the DSDT
// declares each virtio-mmio transport that holds a device, GSI 16+i on
// the first I/O APIC, level-triggered and active high, and no
// virtio_mmio.device= options are needed.
const MicroVMACPI = "microvm,ioapic2=off"

// MicroVMDevices are the boot options that place MicroVM's eight
// virtio-mmio transports, 512 bytes each from 0xfeb00000. QEMU writes
// them into the command line itself only when it boots Linux or PVH
// (auto-kernel-cmdline); a Multiboot image gets them here.
func MicroVMDevices() []string {
	var opts []string
	for i := range 8 {
		opts = append(opts, fmt.Sprintf("virtio_mmio.device=512@%#x:%d", 0xfeb00000+0x200*i, 5+i))
	}
	return opts
}

// Module is a file passed to the kernel as a boot module.
type Module struct {
	Path string // file on the host
	Name string // module command line seen by the kernel
}

// Machine describes one boot of a Warren image.
type Machine struct {
	Image     string        // Warren image, booted with -kernel
	ISO       string        // or a bootable ISO (then Image, Append and Modules are unused)
	Disk      string        // or a bootable disk image, a virtio-blk drive (then Image, Append and Modules are unused)
	DiskFmt   string        // QEMU's format of Disk: raw (the default) or qcow2
	UEFI      bool          // boot Disk with OVMF, not the default BIOS (SeaBIOS)
	PVH       bool          // boot Image through its PVH entry (see Run), not Multiboot
	Memory    string        // guest RAM, e.g. "256M"; default 256M
	CPUs      int           // vCPUs (-smp); 0: $WARREN_QEMU_SMP, else QEMU's default, one
	Append    string        // kernel command line
	Modules   []Module      // boot modules; with PVH at most one, whose Name is not passed
	Accel     Accel         // AccelAuto: DetectAccel
	ExtraArgs []string      // appended to QEMU's arguments
	Stdout    io.Writer     // receives the serial console as it arrives; may be nil
	Stdin     io.Reader     // serial console input; nil: none
	Timeout   time.Duration // 0: none
	QEMU      string        // emulator binary; default Binary (tests use fakes)
	Type      string        // machine type (-M), such as MicroVM; default QEMU's pc

	// NoDebugExit leaves out isa-debug-exit, as on the VMMs that have
	// none: the kernel powers off through ACPI or a reset, and the status
	// comes back in its StatusLine.
	NoDebugExit bool
}

// Result is what a finished run left behind.
type Result struct {
	Status    int           // program exit status (valid when Run returns no error)
	Output    []byte        // serial console output, the last MaxOutput bytes
	Truncated bool          // Output lost its beginning
	Stderr    string        // QEMU's own messages
	Duration  time.Duration // QEMU start to exit
}

// MaxOutput bounds the serial output kept in Result.
const MaxOutput = 4 << 20

// ErrTimeout is returned (wrapped) when Machine.Timeout expires.
var ErrTimeout = errors.New("timed out")

// SMPEnv names the vCPU count of a machine that sets none: make test
// runs the QEMU suite a second time with it at 2.
const SMPEnv = "WARREN_QEMU_SMP"

// defaultCPUs is $WARREN_QEMU_SMP, 0 when unset.
func defaultCPUs() (int, error) {
	v := os.Getenv(SMPEnv)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 255 {
		return 0, fmt.Errorf("%s=%q: want a vCPU count from 1 to 255", SMPEnv, v)
	}
	return n, nil
}

// Args returns QEMU's command line (without the program name).
func (m *Machine) Args() ([]string, error) {
	accel := m.Accel
	if accel == AccelAuto {
		var err error
		if accel, err = DetectAccel(); err != nil {
			return nil, err
		}
	}
	mem := m.Memory
	if mem == "" {
		mem = "256M"
	}
	args := []string{"-nodefaults", "-no-reboot", "-display", "none", "-serial", "stdio", "-monitor", "none", "-m", mem}
	cpus := m.CPUs
	if cpus == 0 {
		var err error
		if cpus, err = defaultCPUs(); err != nil {
			return nil, err
		}
	}
	if cpus > 0 {
		args = append(args, "-smp", fmt.Sprint(cpus))
	}
	args = append(args, accel.args()...)
	if m.Type != "" {
		args = append(args, "-M", m.Type)
		if strings.HasPrefix(m.Type, "microvm") {
			args = append(args, "-global", "virtio-mmio.force-legacy=false")
		}
	}
	switch {
	case m.ISO != "":
		if m.PVH {
			return nil, errors.New("qemu.Machine: an ISO boots through GRUB, with Multiboot")
		}
		args = append(args, "-cdrom", m.ISO, "-boot", "d")
	case m.Disk != "":
		if m.PVH {
			return nil, errors.New("qemu.Machine: a disk boots through GRUB, with Multiboot")
		}
		format := m.DiskFmt
		if format == "" {
			format = "raw"
		}
		// snapshot=on: the guest may write, the file stays as built.
		drive := "file=" + strings.ReplaceAll(m.Disk, ",", ",,") + ",format=" + format + ",if=virtio,snapshot=on"
		args = append(args, "-drive", drive, "-boot", "c")
		if m.UEFI {
			args = append(args, "-bios", OVMF)
		}
	case m.Image != "":
		args = append(args, "-kernel", m.Image)
		if m.Append != "" {
			args = append(args, "-append", m.Append)
		}
		if len(m.Modules) > 0 {
			initrd, err := initrdArg(m.Modules, m.PVH)
			if err != nil {
				return nil, err
			}
			args = append(args, "-initrd", initrd)
		}
	default:
		return nil, errors.New("qemu.Machine: none of Image, ISO and Disk is set")
	}
	if m.UEFI && m.Disk == "" {
		return nil, errors.New("qemu.Machine: only a disk boots with UEFI (the ISO is BIOS only, -kernel needs a BIOS)")
	}
	if !m.NoDebugExit {
		args = append(args, "-device", fmt.Sprintf("isa-debug-exit,iobase=%#x,iosize=0x04", DebugExitPort))
	}
	return append(args, m.ExtraArgs...), nil
}

// initrdArg is QEMU's -initrd for multiboot: "path cmdline" per module,
// modules separated by commas (a comma inside one doubled). QEMU loads the
// file named up to the first space, so a path cannot contain one. For PVH
// it is the one module's path as it is: QEMU hands the kernel that file
// as module 0, with no string.
func initrdArg(mods []Module, pvh bool) (string, error) {
	if pvh {
		if len(mods) > 1 {
			return "", fmt.Errorf("%d modules: QEMU passes one (-initrd) to a PVH kernel", len(mods))
		}
		return mods[0].Path, nil
	}
	var parts []string
	for _, mod := range mods {
		if strings.ContainsAny(mod.Path, " \t") {
			return "", fmt.Errorf("module path %q: QEMU's multiboot loader cannot take a space", mod.Path)
		}
		s := mod.Path
		if mod.Name != "" {
			s += " " + mod.Name
		}
		parts = append(parts, strings.ReplaceAll(s, ",", ",,"))
	}
	return strings.Join(parts, ","), nil
}

// Run boots the machine and waits for it to stop. With a nil error,
// Result.Status is the program's exit status. The Result is filled in
// whatever happens.
//
// QEMU's -kernel takes an image's Multiboot header over its PVH note, so
// with PVH set Run boots a temporary copy of Image whose Multiboot header
// is spoiled (multiboot.HideHeaders), as a PVH-only loader sees it.
func (m *Machine) Run(ctx context.Context) (Result, error) {
	var res Result
	bin := m.QEMU
	if bin == "" {
		bin = Binary
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return res, fmt.Errorf("%s not found: install the Debian package qemu-system-x86", bin)
	}
	if m.PVH && m.Image != "" {
		dir, err := os.MkdirTemp("", "warren-pvh-")
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(dir)
		pvh := *m
		if pvh.Image, err = pvhCopy(m.Image, dir); err != nil {
			return res, err
		}
		m = &pvh
	}
	args, err := m.Args()
	if err != nil {
		return res, err
	}
	if m.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.Timeout)
		defer cancel()
	}
	out := &tailBuffer{max: MaxOutput}
	stderr := &tailBuffer{max: 64 << 10}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = m.Stdin
	cmd.Stdout = out
	if m.Stdout != nil {
		cmd.Stdout = io.MultiWriter(m.Stdout, out)
	}
	cmd.Stderr = stderr
	cmd.WaitDelay = 5 * time.Second // don't hang on pipes a killed QEMU left open
	dieWithParent(cmd)

	start := time.Now()
	err = cmd.Run()
	res.Duration = time.Since(start)
	res.Output, res.Truncated = out.bytes()
	errb, _ := stderr.bytes()
	res.Stderr = string(errb)

	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) && m.Timeout > 0 {
			return res, fmt.Errorf("QEMU killed: %w after %v", ErrTimeout, m.Timeout)
		}
		return res, fmt.Errorf("QEMU killed: %w", ctxErr)
	}
	var exitErr *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
		if code < 0 {
			return res, &Error{Code: code, Stderr: res.Stderr + "\n" + exitErr.String()}
		}
	case err != nil:
		return res, fmt.Errorf("running QEMU: %w", err)
	}
	res.Status, err = decodeExit(code, res.Stderr, res.Output)
	return res, err
}

// pvhCopy writes image without its Multiboot header into dir.
func pvhCopy(image, dir string) (string, error) {
	data, err := os.ReadFile(image)
	if err != nil {
		return "", err
	}
	if multiboot.HideHeaders(data) == 0 {
		return "", fmt.Errorf("%s: no Multiboot header, so not a Warren image", image)
	}
	out := filepath.Join(dir, filepath.Base(image))
	return out, os.WriteFile(out, data, 0o644)
}

// tailBuffer keeps the last max bytes written to it. It holds up to twice
// that before dropping the oldest half, so trimming is not per write.
type tailBuffer struct {
	max       int
	buf       []byte
	truncated bool
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if len(b.buf) > 2*b.max {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-b.max:]...)
		b.truncated = true
	}
	return len(p), nil
}

func (b *tailBuffer) bytes() ([]byte, bool) {
	if len(b.buf) > b.max {
		return b.buf[len(b.buf)-b.max:], true
	}
	return b.buf, b.truncated
}
