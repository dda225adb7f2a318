package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

func init() {
	commands = append(commands, &command{
		name:  "test",
		args:  "[-m MEM] [-timeout D] [-short] [-run RE] [-v] [-count N] [-bench RE] PKG... [-- ARG...]",
		help:  "Test builds the test binary of each package with the Warren kernel, boots it\nin QEMU with the files go test's run would read as an initrd (the package's\nsource directory at its host path, which is the working directory; its\nancestors' testdata and plain files; for a standard package the sources of\nthe packages its test is built from; $GOROOT/lib/time/zoneinfo.zip; an\nempty /usr/bin; /etc listing the served files; the test binary built as a\nplain Linux executable at /warren/program, which /proc/self/exe names, so\ntests can re-execute it) and\nHOME, USER and TMPDIR set (/tmp, root, /tmp), and reports ok or FAIL per\npackage like go test. ARGs after -- go to every test binary unchanged.\n\n",
		flags: func() *flag.FlagSet { return testFlags(new(testOpts)) },
		run:   runTest,
	})
}

// timeoutGrace is how long past -timeout the machine may run: the test
// binary panics with its goroutines at -timeout, and QEMU is killed only
// if that does not stop it (go test allows a minute too).
const timeoutGrace = time.Minute

// testVars is the environment go test would pass that the kernel does not
// set itself: a home, a user, and the temporary directory, /tmp being the
// tree's one writable directory (a tmpfs), so $HOME is there too.
var testVars = []string{"HOME=/tmp", "USER=root", "TMPDIR=/tmp", "PATH=/usr/bin:/bin"}

type testOpts struct {
	mem     string
	timeout time.Duration
	short   bool
	run     string
	verbose bool
	count   int
	bench   string
	set     map[string]bool // flags given on the command line
	pkgs    []string
	extra   []string // after --
}

func testFlags(o *testOpts) *flag.FlagSet {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.StringVar(&o.mem, "m", "256M", "guest memory (QEMU -m)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "panic a test binary running longer than this")
	fs.BoolVar(&o.short, "short", false, "tell long-running tests to shorten their run time")
	fs.StringVar(&o.run, "run", "", "run only the tests and examples matching `regexp`")
	fs.BoolVar(&o.verbose, "v", false, "verbose output: log all tests as they are run")
	fs.IntVar(&o.count, "count", 1, "run each test and benchmark `n` times")
	fs.StringVar(&o.bench, "bench", "", "run only the benchmarks matching `regexp`")
	return fs
}

// parseTest parses flags and packages in any order, as go test does;
// the arguments after the first -- are kept for the test binaries.
func parseTest(e *env, args []string) (*testOpts, error) {
	o := &testOpts{set: map[string]bool{}}
	if i := slices.Index(args, "--"); i >= 0 {
		args, o.extra = args[:i], args[i+1:]
	}
	fs := testFlags(o)
	for len(args) > 0 {
		if err := parseFlags(fs, e, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		i := 0
		for i < len(args) && !strings.HasPrefix(args[i], "-") {
			i++
		}
		o.pkgs = append(o.pkgs, args[:i]...)
		args = args[i:]
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if len(o.pkgs) == 0 {
		return nil, usageError(e, "test", "no packages to test")
	}
	if o.timeout <= 0 {
		return nil, usageError(e, "test", "-timeout must be positive")
	}
	return o, nil
}

// binaryArgs are the test binary's arguments, as go test passes them.
func (o *testOpts) binaryArgs() []string {
	args := []string{"-test.paniconexit0", "-test.timeout=" + o.timeout.String()}
	if o.short {
		args = append(args, "-test.short=true")
	}
	if o.set["run"] {
		args = append(args, "-test.run="+o.run)
	}
	if o.verbose {
		args = append(args, "-test.v=true")
	}
	if o.set["count"] {
		args = append(args, "-test.count="+strconv.Itoa(o.count))
	}
	if o.set["bench"] {
		args = append(args, "-test.bench="+o.bench)
	}
	return append(args, o.extra...)
}

// cmdline is the boot command line of a test binary run in dir.
func (o *testOpts) cmdline(dir string) (string, error) {
	return build.Cmdline(append([]string{build.CwdOption + dir}, testVars...), o.binaryArgs())
}

func runTest(ctx context.Context, e *env, args []string) (int, error) {
	o, err := parseTest(e, args)
	if err != nil {
		return 0, err
	}
	// Check the arguments once, before building anything.
	if _, err := build.Cmdline(nil, o.binaryArgs()); err != nil {
		return 0, err
	}
	pkgs, err := build.List(ctx, build.Config{}, o.pkgs...)
	if err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "warren-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)

	failed := false
	for i, pkg := range pkgs {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if !pkg.HasTests() {
			fmt.Fprintf(e.stdout, "?   \t%s\t[no test files]\n", pkg.ImportPath)
			continue
		}
		if !testPackage(ctx, e, o, pkg, filepath.Join(tmp, strconv.Itoa(i))) {
			failed = true
		}
	}
	if failed {
		return exitFail, nil
	}
	return 0, nil
}

// testPackage builds, boots and reports one package; it returns whether
// the package passed.
func testPackage(ctx context.Context, e *env, o *testOpts, pkg *build.Package, tmp string) bool {
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "warren test: %v\n", err)
		return false
	}
	image, archive := filepath.Join(tmp, "test.elf"), filepath.Join(tmp, build.ArchiveModule)
	cmdline, err := o.cmdline(pkg.Dir)
	if err == nil {
		err = build.CheckCmdline(image, cmdline)
	}
	if err != nil { // a directory with a double quote in its name, or a command line too long
		fmt.Fprintf(e.stderr, "warren test: %v\n", err)
		fmt.Fprintf(e.stdout, "FAIL\t%s [setup failed]\n", pkg.ImportPath)
		return false
	}
	if err := build.BuildTestPackage(ctx, build.Config{SelfExe: true}, pkg, image); err != nil {
		fmt.Fprintf(e.stderr, "%v\n", err)
		fmt.Fprintf(e.stdout, "FAIL\t%s [build failed]\n", pkg.ImportPath)
		return false
	}
	if err := build.TestArchive(ctx, pkg, archive, image+build.PlainSuffix); err != nil {
		fmt.Fprintf(e.stderr, "warren test: %v\n", err)
		fmt.Fprintf(e.stdout, "FAIL\t%s [setup failed]\n", pkg.ImportPath)
		return false
	}
	m := qemu.Machine{
		Image:   image,
		Memory:  o.mem,
		Append:  cmdline,
		Modules: []qemu.Module{{Path: archive, Name: build.ArchiveModule}},
		Timeout: o.timeout + timeoutGrace,
		Stdout:  e.stdout,
	}
	res, err := m.Run(ctx)
	elapsed := fmt.Sprintf("%.3fs", res.Duration.Seconds())
	if n := len(res.Output); n > 0 && res.Output[n-1] != '\n' {
		fmt.Fprintln(e.stdout) // the verdict starts a line
	}
	switch {
	case err != nil:
		fmt.Fprintf(e.stdout, "warren: %s: %v\nFAIL\t%s\t%s\n", pkg.ImportPath, err, pkg.ImportPath, elapsed)
		return false
	case res.Status != 0:
		if res.Status != 1 { // 1 is a test failure, already reported by the binary
			fmt.Fprintf(e.stdout, "exit status %d\n", res.Status)
		}
		fmt.Fprintf(e.stdout, "FAIL\t%s\t%s\n", pkg.ImportPath, elapsed)
		return false
	}
	fmt.Fprintf(e.stdout, "ok  \t%s\t%s\n", pkg.ImportPath, elapsed)
	return true
}
