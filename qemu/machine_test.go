package qemu

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestArgs(t *testing.T) {
	t.Setenv(SMPEnv, "")
	m := Machine{
		Image:     "/img/warren.elf",
		Append:    `warren.cwd=/x "-test.run=A B"`,
		Modules:   []Module{{Path: "/tmp/a,b.cpio", Name: "initrd"}, {Path: "/tmp/data", Name: "data"}},
		Accel:     AccelTCG,
		CPUs:      2,
		ExtraArgs: []string{"-s"},
	}
	got, err := m.Args()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"-nodefaults", "-no-reboot", "-display", "none", "-serial", "stdio", "-monitor", "none",
		"-m", "256M", "-smp", "2", "-accel", "tcg", "-cpu", "max",
		"-kernel", "/img/warren.elf", "-append", `warren.cwd=/x "-test.run=A B"`,
		"-initrd", "/tmp/a,,b.cpio initrd,/tmp/data data",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-s"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	iso := Machine{ISO: "/x.iso", Memory: "1G", Accel: AccelKVM}
	got, err = iso.Args()
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"-nodefaults", "-no-reboot", "-display", "none", "-serial", "stdio", "-monitor", "none",
		"-m", "1G", "-accel", "kvm", "-cpu", "host", "-cdrom", "/x.iso", "-boot", "d",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	disk := Machine{Disk: "/a,b.qcow2", DiskFmt: "qcow2", Accel: AccelTCG}
	got, err = disk.Args()
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"-nodefaults", "-no-reboot", "-display", "none", "-serial", "stdio", "-monitor", "none",
		"-m", "256M", "-accel", "tcg", "-cpu", "max", "-drive", "file=/a,,b.qcow2,format=qcow2,if=virtio,snapshot=on", "-boot", "c",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	disk.UEFI = true
	if got, err = disk.Args(); err != nil || !slices.Equal(got[len(got)-6:len(got)-2], []string{"-boot", "c", "-bios", OVMF}) {
		t.Errorf("UEFI: %q, %v", got, err)
	}
	iso.UEFI = true
	if _, err := iso.Args(); err == nil {
		t.Error("UEFI with an ISO: no error")
	}

	micro := Machine{Image: "/x", Accel: AccelTCG, Type: MicroVM}
	got, err = micro.Args()
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"-nodefaults", "-no-reboot", "-display", "none", "-serial", "stdio", "-monitor", "none",
		"-m", "256M", "-accel", "tcg", "-cpu", "max",
		"-M", "microvm,ioapic2=off,acpi=off", "-global", "virtio-mmio.force-legacy=false",
		"-kernel", "/x", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	micro.NoDebugExit = true
	if got, err = micro.Args(); err != nil || slices.Contains(got, "-device") {
		t.Errorf("NoDebugExit: %q, %v", got, err)
	}
	if d := MicroVMDevices(); len(d) != 8 || d[0] != "virtio_mmio.device=512@0xfeb00000:5" || d[7] != "virtio_mmio.device=512@0xfeb00e00:12" {
		t.Errorf("microvm devices %q", d)
	}

	if _, err := (&Machine{Accel: AccelTCG}).Args(); err == nil {
		t.Error("no image and no ISO accepted")
	}
	bad := Machine{Image: "/x", Accel: AccelTCG, Modules: []Module{{Path: "/a b", Name: "x"}}}
	if _, err := bad.Args(); err == nil {
		t.Error("module path with a space accepted")
	}

	// PVH: QEMU's -initrd is the one module's file, named as it is.
	pvh := Machine{Image: "/img/warren.elf", Type: "q35", PVH: true, Accel: AccelTCG,
		Modules: []Module{{Path: "/tmp/a,b.cpio", Name: "initrd"}}}
	got, err = pvh.Args()
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"-nodefaults", "-no-reboot", "-display", "none", "-serial", "stdio", "-monitor", "none",
		"-m", "256M", "-accel", "tcg", "-cpu", "max", "-M", "q35",
		"-kernel", "/img/warren.elf", "-initrd", "/tmp/a,b.cpio",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	for name, m := range map[string]Machine{
		"two PVH modules": {Image: "/x", PVH: true, Modules: []Module{{Path: "/a"}, {Path: "/b"}}},
		"ISO through PVH": {ISO: "/x.iso", PVH: true},
	} {
		m.Accel = AccelTCG
		if _, err := m.Args(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// A machine that names no vCPU count takes $WARREN_QEMU_SMP's; one that
// names its own keeps it, and a bad value is an error that names it.
func TestSMPEnv(t *testing.T) {
	smp := func(m Machine) string {
		t.Helper()
		args, err := m.Args()
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.Index(args, "-smp"); i >= 0 {
			return args[i+1]
		}
		return ""
	}
	t.Setenv(SMPEnv, "2")
	if got := smp(Machine{Image: "/x", Accel: AccelTCG}); got != "2" {
		t.Errorf("with %s=2: -smp %q", SMPEnv, got)
	}
	if got := smp(Machine{Image: "/x", Accel: AccelTCG, CPUs: 4}); got != "4" {
		t.Errorf("CPUs 4 with %s=2: -smp %q", SMPEnv, got)
	}
	t.Setenv(SMPEnv, "")
	if got := smp(Machine{Image: "/x", Accel: AccelTCG}); got != "" {
		t.Errorf("without %s: -smp %q", SMPEnv, got)
	}
	t.Setenv(SMPEnv, "two")
	if _, err := (&Machine{Image: "/x", Accel: AccelTCG}).Args(); err == nil || !strings.Contains(err.Error(), SMPEnv) {
		t.Errorf("%s=two: %v", SMPEnv, err)
	}
}

func TestDecodeExit(t *testing.T) {
	for _, tc := range []struct {
		code   int
		stderr string
		status int
		err    string
		output string
	}{
		{1, "", 0, "", ""},
		{3, "", 1, "", ""},
		{85, "", 42, "", ""},
		{255, "", 127, "", ""},
		{1, "qemu-system-x86_64: warning: host doesn't support requested feature\n", 0, "", ""},
		{0, "", 0, "without an exit status", ""},
		{0, "qemu-system-x86_64: terminating on signal 15\n", 0, "terminating on signal 15", ""},
		{1, "qemu-system-x86_64: -kernel x: No such file or directory\n", 0, "No such file", ""},
		{1, "qemu-system-x86_64: -netdev tap,id=n0: warning: vnet header\n", 0, "", ""},
		{1, "qemu: invalid kernel header\n", 0, "exit code 1: qemu: invalid kernel header", ""},
		{1, "qemu: could not load kernel 'x': No such file or directory\n", 0, "could not load kernel", ""},
		{1, "(qemu-system-x86_64:42): Slirp-WARNING **: Failed to send packet, ret: -1\n", 0, "", ""},
		{2, "boom", 0, "exit code 2: boom", ""},
		{0, "", 3, "", "hello\nwarren: exit status 3\n"},
		{0, "(qemu-system-x86_64:42): Slirp-WARNING **: x\n", 0, "", "warren: exit status 0\r\n"},
		{0, "", 255, "", "warren: exit status 255\n"},
		{85, "", 42, "", "warren: exit status 3\n"}, // isa-debug-exit's status wins
		{0, "", 0, "without an exit status", "warren: exit status 3\nlater\n"},
		{0, "", 0, "without an exit status", "warren: exit status 256\n"},
		{0, "", 0, "without an exit status", "warren: exit status 03\n"},
		{0, "", 0, "without an exit status", "warren: exit status \n"},
	} {
		status, err := decodeExit(tc.code, tc.stderr, []byte(tc.output))
		switch {
		case tc.err == "" && (err != nil || status != tc.status):
			t.Errorf("decodeExit(%d, %q) = %d, %v; want %d", tc.code, tc.stderr, status, err, tc.status)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("decodeExit(%d, %q): error %v, want one containing %q", tc.code, tc.stderr, err, tc.err)
		}
	}
	if _, err := decodeExit(0, "", nil); !errors.Is(err, ErrNoStatus) {
		t.Errorf("code 0: %v is not ErrNoStatus", err)
	}
}

func TestDetectAccel(t *testing.T) {
	sys := func(modules ...string) string {
		root := t.TempDir()
		for _, m := range modules {
			os.MkdirAll(filepath.Join(root, "sys", "module", m), 0o755)
		}
		return root
	}
	kvm := filepath.Join(t.TempDir(), "kvm")
	os.WriteFile(kvm, nil, 0o600)
	missing := filepath.Join(t.TempDir(), "nokvm")
	for _, tc := range []struct {
		name string
		root string
		dev  string
		want Accel
	}{
		{"intel", sys("kvm", "kvm_intel"), kvm, AccelKVM},
		{"amd", sys("kvm", "kvm_amd"), kvm, AccelKVM},
		{"pvm", sys("kvm", "kvm_pvm"), kvm, AccelTCG},
		{"pvm and intel", sys("kvm", "kvm_intel", "kvm_pvm"), kvm, AccelTCG},
		{"no module", sys(), kvm, AccelTCG},
		{"no device", sys("kvm", "kvm_intel"), missing, AccelTCG},
	} {
		if got := detectAccel(tc.root, tc.dev); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	t.Setenv("WARREN_ACCEL", "kvm")
	if a, err := DetectAccel(); a != AccelKVM || err != nil {
		t.Errorf("WARREN_ACCEL=kvm: %q, %v", a, err)
	}
	t.Setenv("WARREN_ACCEL", "hvf")
	if _, err := DetectAccel(); err == nil {
		t.Error("WARREN_ACCEL=hvf accepted")
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 4}
	b.Write([]byte("abc"))
	if got, tr := b.bytes(); string(got) != "abc" || tr {
		t.Errorf("got %q, %v", got, tr)
	}
	for _, s := range []string{"defgh", "ij", "k"} {
		b.Write([]byte(s))
	}
	if got, tr := b.bytes(); string(got) != "hijk" || !tr {
		t.Errorf("got %q, %v; want hijk, true", got, tr)
	}
}

// fakeQEMU writes a shell script standing in for QEMU.
func fakeQEMU(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fake-qemu")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunFake(t *testing.T) {
	ctx := context.Background()
	var stream bytes.Buffer
	m := Machine{Image: "/x", Accel: AccelTCG, Stdout: &stream,
		QEMU: fakeQEMU(t, `echo "hello from warren"; echo "$@" >&2; exit 85`)}
	res, err := m.Run(ctx)
	if err != nil || res.Status != 42 {
		t.Fatalf("got %d, %v; want 42", res.Status, err)
	}
	if string(res.Output) != "hello from warren\n" || stream.String() != "hello from warren\n" {
		t.Errorf("output %q, streamed %q", res.Output, stream.String())
	}
	if !strings.Contains(res.Stderr, "-kernel /x") {
		t.Errorf("QEMU got arguments %q", res.Stderr)
	}

	m.QEMU = fakeQEMU(t, `echo "qemu-system-x86_64: could not load kernel '/x'" >&2; exit 1`)
	var qerr *Error
	if _, err := m.Run(ctx); !errors.As(err, &qerr) || !strings.Contains(err.Error(), "could not load kernel") {
		t.Errorf("QEMU error: %v", err)
	}

	m.QEMU = fakeQEMU(t, `echo partial; exit 0`)
	if res, err := m.Run(ctx); !errors.Is(err, ErrNoStatus) || string(res.Output) != "partial\n" {
		t.Errorf("no status: %v, output %q", err, res.Output)
	}

	// A QEMU that never ends is killed: Run returns (instead of waiting
	// 30 seconds) with ErrTimeout and what was printed.
	m.QEMU = fakeQEMU(t, `echo started; exec sleep 30`)
	m.Timeout = 300 * time.Millisecond
	res, err = m.Run(ctx)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "300ms") {
		t.Errorf("timeout: %v", err)
	}
	if string(res.Output) != "started\n" {
		t.Errorf("output %q", res.Output)
	}
}

// TestRunNotAKernel boots files QEMU's -kernel loader refuses: QEMU
// exits with 1, the code of the program's status 0, and Run must report
// QEMU's error instead.
func TestRunNotAKernel(t *testing.T) {
	RequireTools(t, Binary)
	dir := t.TempDir()
	for name, data := range map[string]string{"empty.bin": "", "text.bin": "not a kernel\n"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		m := Machine{Image: path, Memory: "32M", Accel: AccelTCG, Timeout: time.Minute}
		res, err := m.Run(context.Background())
		var qerr *Error
		if !errors.As(err, &qerr) || qerr.Code != 1 {
			t.Errorf("%s: status %d, error %v; want QEMU's own failure (QEMU said %q)", name, res.Status, err, res.Stderr)
		}
	}
}

func TestRunMissingQEMU(t *testing.T) {
	m := Machine{Image: "/x", Accel: AccelTCG, QEMU: "qemu-that-does-not-exist"}
	if _, err := m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "qemu-system-x86") {
		t.Errorf("got %v, want an error naming the Debian package", err)
	}
}
