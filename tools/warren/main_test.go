package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"warren.dev/boot/multiboot"
	"warren.dev/tools/build"
)

func testEnv() (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}, &out, &errb
}

func TestParseTest(t *testing.T) {
	e, _, _ := testEnv()
	o, err := parseTest(e, []string{"-short", "./a", "-run", "A B", "./b/...", "-v", "-count=3", "-bench", ".", "-m", "1G", "-timeout", "2m", "--", "-test.benchtime=1x", "x y"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.pkgs, []string{"./a", "./b/..."}) || o.mem != "1G" || o.timeout != 2*time.Minute {
		t.Errorf("packages %q, -m %q, -timeout %v", o.pkgs, o.mem, o.timeout)
	}
	want := []string{"-test.paniconexit0", "-test.timeout=2m0s", "-test.short=true", "-test.run=A B", "-test.v=true", "-test.count=3", "-test.bench=.", "-test.benchtime=1x", "x y"}
	if got := o.binaryArgs(); !slices.Equal(got, want) {
		t.Errorf("binary args\n got %q\nwant %q", got, want)
	}

	// Defaults: only what go test always passes.
	o, err = parseTest(e, []string{"strings"})
	if err != nil {
		t.Fatal(err)
	}
	if got := o.binaryArgs(); !slices.Equal(got, []string{"-test.paniconexit0", "-test.timeout=10m0s"}) || o.mem != "256M" {
		t.Errorf("defaults: %q, -m %q", got, o.mem)
	}

	// The kernel is told the directory and go test's environment.
	if got, err := o.cmdline("/p"); err != nil || got != "warren.cwd=/p HOME=/tmp USER=root TMPDIR=/tmp PATH=/usr/bin:/bin -- -test.paniconexit0 -test.timeout=10m0s" {
		t.Errorf("command line %q, %v", got, err)
	}

	// An explicit empty -run is still passed; "--" alone ends the flags.
	o, err = parseTest(e, []string{"-run=", "p", "--"})
	if err != nil || !slices.Contains(o.binaryArgs(), "-test.run=") || len(o.extra) != 0 {
		t.Errorf("-run= : %v %q", err, o.binaryArgs())
	}
}

func TestBadCommandLines(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"test", "-bogus", "p"}, "flag provided but not defined: -bogus"},
		{[]string{"test", "p", "-count", "many"}, `invalid value "many" for flag -count`},
		{[]string{"test", "-timeout", "0", "p"}, "-timeout must be positive"},
		{[]string{"test", "-v"}, "no packages"},
		{[]string{"test", "-v", "--", "-x"}, "no packages"},
		{[]string{"run", "-timeout", "soon", "x"}, `invalid value "soon" for flag -timeout`},
		{[]string{"run", "-m"}, "flag needs an argument: -m"},
		{[]string{"run"}, "missing image or package"},
		{[]string{"build", "-iso=maybe", "p"}, "invalid boolean value"},
		{[]string{"build", "a", "b"}, "want exactly one package"},
		{[]string{"build", "-user", "./x", "./cmd/y"}, "-user and a package (./cmd/y) cannot be used together"},
		{[]string{"build", "-user", " "}, `invalid value " " for flag -user`},
		{[]string{"build", "-selfexe", "-user", "./x"}, "-selfexe applies to a package, not to -user"},
		{[]string{"build"}, "want exactly one package, got 0"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{nil, "Usage:"},
	} {
		e, _, errb := testEnv()
		if code := run(context.Background(), e, tc.args); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", tc.args, code, exitUsage)
		}
		if !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%q: stderr %q, want it to contain %q", tc.args, errb.String(), tc.want)
		}
	}
}

func TestParseRun(t *testing.T) {
	e, _, _ := testEnv()
	o, err := parseRun(e, []string{"-m", "512M", "-smp", "4", "-append", "warren.debug", "-timeout", "30s", "./cmd/x", "-flag", "two words", ""})
	if err != nil {
		t.Fatal(err)
	}
	if o.target != "./cmd/x" || o.mem != "512M" || o.cpus != 4 || o.timeout != 30*time.Second {
		t.Errorf("%+v", o)
	}
	if got, err := o.cmdline(); err != nil || got != `warren.debug -- -flag "two words" ""` {
		t.Errorf("cmdline %q, %v", got, err)
	}
	o, _ = parseRun(e, []string{"img", `say "hi"`})
	if want := min(runtime.NumCPU(), maxDefaultCPUs); o.cpus != want {
		t.Errorf("-smp defaults to %d, want %d (the host's CPUs, capped)", o.cpus, want)
	}
	if _, err := o.cmdline(); err == nil {
		t.Error("an argument with a double quote was accepted")
	}
}

func TestParseBuild(t *testing.T) {
	e, _, _ := testEnv()
	o, err := parseBuild(e, []string{"-o", "x.iso", "-iso", "-append", "a b", "./cmd/x"})
	if err != nil {
		t.Fatal(err)
	}
	if o.out != "x.iso" || o.format != build.FormatISO || o.appendArgs != "a b" || o.pkg != "./cmd/x" {
		t.Errorf("%+v", o)
	}
	if o, err = parseBuild(e, []string{"-format", "qcow2", "-append", "ip=dhcp", "./cmd/x"}); err != nil || o.format != build.FormatQCOW2 {
		t.Errorf("-format qcow2: %+v, %v", o, err)
	}
	if o, err = parseBuild(e, []string{"-append", "ip=dhcp", "./cmd/x"}); err != nil || o.format != build.FormatELF || o.appendArgs != "ip=dhcp" {
		t.Errorf("-append on an elf image: %+v, %v", o, err)
	}
	if o, err = parseBuild(e, []string{"-selfexe", "./cmd/x"}); err != nil || !o.selfExe || o.pkg != "./cmd/x" {
		t.Errorf("-selfexe: %+v, %v", o, err)
	}
	for _, args := range [][]string{{"-format", "vmdk", "./cmd/x"}} {
		if _, err := parseBuild(e, args); err == nil {
			t.Errorf("%q was accepted", args)
		}
	}
}

func TestParseBuildUser(t *testing.T) {
	e, _, _ := testEnv()
	o, err := parseBuild(e, []string{"-user", "./echo-server -port 7", "-o", "x.elf", "-user", "/bin/b"})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.user) != 2 || o.user[0].Path != "./echo-server" || !slices.Equal(o.user[0].Args, []string{"-port", "7"}) ||
		o.user[1].Path != "/bin/b" || len(o.user[1].Args) != 0 || o.pkg != "" || o.out != "x.elf" {
		t.Errorf("%+v", o)
	}
}

func TestHelp(t *testing.T) {
	for _, name := range []string{"", "build", "run", "test"} {
		e, out, _ := testEnv()
		args := []string{"help"}
		if name != "" {
			args = append(args, name)
		}
		if code := run(context.Background(), e, args); code != 0 || !strings.Contains(out.String(), "warren "+name) {
			t.Errorf("help %s: exit %d\n%s", name, code, out)
		}
	}
}

// TestRunRejectsNonImage runs files that are not Warren images: each is
// refused before QEMU starts (there is none on PATH here), with an error
// naming the file and what it is.
func TestRunRejectsNonImage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := t.TempDir()
	self, err := os.ReadFile(os.Args[0]) // an x86-64 ELF file without Warren's kernel
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty.elf", nil, "empty file, not a Warren image"},
		{"notelf.bin", []byte("not a kernel\n"), "not an ELF file"},
		{"plain.elf", self, "ELF file without Warren's kernel"},
		{"empty.iso", nil, "empty file, not a bootable ISO"},
	} {
		path := filepath.Join(dir, tc.name)
		if err := os.WriteFile(path, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		e, _, errb := testEnv()
		code := run(context.Background(), e, []string{"run", path})
		if code != exitFail || !strings.Contains(errb.String(), "warren run: "+path+": "+tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and the file named with %q", tc.name, code, errb.String(), exitFail, tc.want)
		}
	}
}

// TestLongCmdline checks command lines against the kernel's limit before
// anything is built or booted (neither go nor QEMU is on PATH here): past
// it the error names the limit; a line of 6,000 bytes is within it.
func TestLongCmdline(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	limit := strconv.Itoa(multiboot.MaxCmdline)
	word := strings.Repeat("x", 999)
	long := slices.Repeat([]string{word}, 9)   // 9,000 bytes
	within := slices.Repeat([]string{word}, 6) // 6,000 bytes
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{append([]string{"run", "./cmd/x"}, long...), exitUsage, "the kernel takes at most " + limit},
		{[]string{"run", "-append", strings.Join(long, " "), "./cmd/x"}, exitUsage, "the kernel takes at most " + limit},
		{[]string{"build", "-iso", "-append", strings.Join(long, " "), "./cmd/x"}, exitUsage, "-append: boot command line too long: 8999 bytes; the kernel takes at most " + limit},
		{append([]string{"run", "./cmd/x"}, within...), exitFail, "warren run: "},
	} {
		e, _, errb := testEnv()
		code := run(context.Background(), e, tc.args)
		msg := errb.String()
		if code != tc.code || !strings.Contains(msg, tc.want) || (tc.code == exitFail && strings.Contains(msg, "too long")) {
			t.Errorf("%q with %d arguments: exit %d, stderr %q; want %d and %q", tc.args[:2], len(tc.args), code, msg, tc.code, tc.want)
		}
	}
}
