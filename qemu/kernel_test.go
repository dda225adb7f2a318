package qemu_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"warren.dev/boot/multiboot"
	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// TestRuntime boots examples/runtime in 48 MiB: goroutines, 2 GiB of
// garbage, timers (no sleep returns early; how late is warren bench's
// figure, not a check), recovered faults, preemption under GC and
// entropy, at 1, 2 and 4 CPUs. The image's bss alone is 36 MiB (crypto's entropy buffer), so
// this also checks that its tail is backed on demand.
func TestRuntime(t *testing.T) {
	for _, cpus := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("smp%d", cpus), func(t *testing.T) {
			out, status, err := bootExample(t, "examples/runtime", boot{Memory: "48M", CPUs: cpus})
			if err != nil {
				t.Fatal(err)
			}
			for _, check := range []string{"ring", "alloc", "sleep", "nil", "divide", "preempt", "rand"} {
				if !regexp.MustCompile(`(?m)^` + check + ` +ok `).MatchString(out) {
					t.Errorf("check %s did not pass", check)
				}
			}
			if status != 0 {
				t.Errorf("exit status %d, want 0", status)
			}
		})
	}
}

// TestRandomDiffers boots twice and compares crypto/rand output.
func TestRandomDiffers(t *testing.T) {
	re := regexp.MustCompile(`crypto/rand ([0-9a-f]{32})`)
	var seen []string
	for i := 0; i < 2; i++ {
		out, _, err := bootExample(t, "examples/runtime", boot{Memory: "64M"})
		if err != nil {
			t.Fatal(err)
		}
		m := re.FindStringSubmatch(out)
		if m == nil {
			t.Fatal("no crypto/rand line")
		}
		seen = append(seen, m[1])
	}
	if seen[0] == seen[1] {
		t.Errorf("two boots drew the same random bytes %s", seen[0])
	}
}

// TestCommandLine checks that the boot command line reaches the program
// as arguments and environment, and the exit status comes back.
func TestCommandLine(t *testing.T) {
	out, status, err := bootExample(t, "qemu/testdata/echoargs", boot{
		Options: []string{"TEST_A=1", "TEST_B=two words"},
		Args:    []string{"-exit=3", "x", "y z"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`args ["x" "y z"]`, "env TEST_A=1", "env TEST_B=two words", "env GOMEMLIMIT="} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if status != 3 {
		t.Errorf("exit status %d, want 3", status)
	}
}

// TestLongCommandLine boots with command lines longer than the other
// boot strings may be, through both loaders: the program sees every
// argument, the last one included, up to the limit (GRUB passes the line
// alone, so the ISO can fill it exactly); past it the kernel stops with an
// error naming the limit.
func TestLongCommandLine(t *testing.T) {
	word := strings.Repeat("w", 999)
	over4k := append(slices.Repeat([]string{word}, 6), "last-arg")
	atLimit := slices.Repeat([]string{word}, 8)
	line, _ := build.Cmdline(nil, atLimit)
	atLimit = append(atLimit, "last-arg-"+strings.Repeat("z", multiboot.MaxCmdline-len(line)-len(" last-arg-")))
	if line, _ = build.Cmdline(nil, atLimit); len(line) != multiboot.MaxCmdline {
		t.Fatalf("the line at the limit is %d bytes", len(line))
	}
	for _, tc := range []struct {
		name string
		iso  bool
		args []string
	}{
		{"kernel", false, over4k},
		{"iso", true, over4k},
		{"iso-at-limit", true, atLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, status, err := bootExample(t, "qemu/testdata/echoargs", boot{ISO: tc.iso, Args: tc.args})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, fmt.Sprintf("args %q\n", tc.args)) {
				t.Errorf("output lacks the %d arguments ending in %.20q", len(tc.args), tc.args[len(tc.args)-1])
			}
			if status != 0 {
				t.Errorf("exit status %d, want 0", status)
			}
		})
	}
	t.Run("kernel-over-limit", func(t *testing.T) {
		out, status, err := bootExample(t, "qemu/testdata/echoargs", boot{Args: slices.Repeat([]string{word}, 9)})
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("boot failed: multiboot: command line longer than %d bytes", multiboot.MaxCmdline); !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
		if status == 0 {
			t.Error("exit status 0 with a command line over the limit")
		}
	})
}

// TestBadBootOption checks that an unknown kernel option is named.
func TestBadBootOption(t *testing.T) {
	out, status, err := bootExample(t, "examples/hello", boot{Options: []string{"warren.nosuch=1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "unknown boot option warren.nosuch=1") {
		t.Errorf("the error does not name the option")
	}
	if status == 0 {
		t.Error("exit status 0 after a bad option")
	}
}

// TestKernelFault faults in kernel mode on purpose and checks the report:
// vector, registers, the decoded instruction, a symbolized backtrace and
// a non-zero status.
func TestKernelFault(t *testing.T) {
	out, status, err := bootExample(t, "examples/hello", boot{Options: []string{"warren.debug=fault"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"kernel fault: #PF page fault",
		"cr2=0x0000000000000008",
		"rax=",
		"insn: mov",
		"warren.dev/kernel.sysDebugFault",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if status == 0 {
		t.Error("exit status 0 after a kernel fault")
	}
}

// TestPlatform checks what drivers stand on: DMA memory, an MMIO window,
// PCI configuration space through port I/O, and interrupt files.
func TestPlatform(t *testing.T) {
	out, status, err := bootExample(t, "qemu/testdata/hwprobe", boot{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"aligned=true len=12288", "lapic version=0x14", "vendor=0x8086 device=0x1237", "msi addr=0xfee00000", "hwprobe ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if status != 0 {
		t.Errorf("exit status %d", status)
	}
}

// TestBakedCommandLine builds a command line into an image (warren build
// -append on an elf): it boots with those options and arguments when the
// loader gives none, and the loader's add to them, after them.
func TestBakedCommandLine(t *testing.T) {
	image := buildExample(t, "qemu/testdata/echoargs")
	if err := build.BakeCmdline(image, `TEST_BAKED=1 -exit=4 -- baked "two words"`); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := build.BakedCmdline(data); err != nil || got != `TEST_BAKED=1 -exit=4 -- baked "two words"` {
		t.Fatalf("built-in command line %q, %v", got, err)
	}
	if err := build.BakeCmdline(image, strings.Repeat("x", 4096)); err == nil {
		t.Error("a command line longer than the image's room was built in")
	}
	for _, tc := range []struct {
		name, append, args string
	}{
		{"alone", "", `args ["baked" "two words"]`},
		{"and the loader's", "booted", `args ["baked" "two words" "booted"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := qemu.Machine{Image: image, Append: tc.append, Timeout: 2 * time.Minute}
			res, err := m.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			out := string(res.Output)
			if !strings.Contains(out, tc.args) || !strings.Contains(out, "env TEST_BAKED=1") {
				t.Errorf("output lacks %s and the baked environment:\n%s", tc.args, out)
			}
			if res.Status != 4 {
				t.Errorf("exit status %d, want 4", res.Status)
			}
		})
	}
}
