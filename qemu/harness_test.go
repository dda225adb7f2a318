package qemu_test

import (
	"bytes"
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// repoRoot is the Warren tree holding this file.
func repoRoot(t testing.TB) string {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the source tree")
	}
	return filepath.Dir(filepath.Dir(self))
}

// boot says how bootExample boots an example.
type boot struct {
	ISO     bool          // through a GRUB rescue ISO instead of -kernel
	PVH     bool          // -kernel through the PVH entry instead of Multiboot
	Type    string        // machine type (qemu.Types); default pc
	Options []string      // boot options and environment (warren.NAME=VALUE, NAME=VALUE)
	Args    []string      // program arguments
	Memory  string        // default 256M
	CPUs    int           // vCPUs (-smp); default QEMU's one
	Timeout time.Duration // default 2 minutes
	QEMU    string        // the emulator, such as Netns.QEMUWrapper's; default qemu.Binary
	NIC     []string      // QEMU's arguments for a NIC, such as qemu.TapArgs
}

// bootExample builds the package in directory dir of this repository (such
// as "examples/hello") into an image with tools/build, boots it and returns
// what the machine printed on its console (with the serial console's CRLF
// line ends turned into LF) and the program's exit status.
// The console is also logged line by line as it arrives. QEMU (and, for
// ISOs, grub-mkrescue and xorriso) missing skips the test, or fails it
// under WARREN_REQUIRE_QEMU=1.
func bootExample(t *testing.T, dir string, b boot) (string, int, error) {
	t.Helper()
	qemu.RequireTools(t, qemu.Binary)
	if b.ISO {
		qemu.RequireTools(t, "grub-mkrescue", "xorriso")
	}
	ctx := context.Background()
	image := buildExample(t, dir)
	cmdline, err := build.Cmdline(b.Options, b.Args)
	if err != nil {
		t.Fatal(err)
	}
	log := &lineLogger{t: t}
	defer log.Flush()
	m := qemu.Machine{Memory: b.Memory, CPUs: b.CPUs, Timeout: b.Timeout, Stdout: log, QEMU: b.QEMU, ExtraArgs: b.NIC, PVH: b.PVH, Type: b.Type}
	if m.Timeout == 0 {
		m.Timeout = 2 * time.Minute
	}
	if b.ISO {
		m.ISO = filepath.Join(t.TempDir(), "warren.iso")
		if err := build.BuildISO(ctx, image, m.ISO, cmdline, nil); err != nil {
			t.Fatal(err)
		}
	} else {
		m.Image, m.Append = image, cmdline
	}
	res, err := m.Run(ctx)
	return strings.ReplaceAll(string(res.Output), "\r\n", "\n"), res.Status, err
}

// buildExample builds the package in directory dir of this repository
// (such as "examples/hello") into an image in a temporary directory.
func buildExample(t *testing.T, dir string) string {
	t.Helper()
	root := repoRoot(t)
	image := filepath.Join(t.TempDir(), "warren.elf")
	if _, err := build.Build(context.Background(), build.Config{Root: root, Dir: root}, "./"+dir, image); err != nil {
		t.Fatalf("building %s: %v", dir, err)
	}
	return image
}

// lineLogger sends what it is written to t.Log, one line at a time.
type lineLogger struct {
	t   *testing.T
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil { // incomplete: keep it
			l.buf.WriteString(line)
			return len(p), nil
		}
		l.t.Log(strings.TrimRight(line, "\r\n"))
	}
}

// Flush logs a last line without a newline.
func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 0 {
		l.t.Log(l.buf.String())
		l.buf.Reset()
	}
}
