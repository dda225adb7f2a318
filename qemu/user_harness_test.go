package qemu_test

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// Ring-3 processes: static Linux executables, not built for Warren, run
// by an image made with build.BuildUser (warren build -user). The
// programs are in testdata: userc (C, built with the host's gcc against
// glibc) and userhttp (Go, no Warren import).

// The console lines these tests read. The init program announces each
// process; the kernel reports each process's end. The wording of the end
// line is not fixed yet: endLineRE, endSignalRE and endExitRE are the one
// place to adjust it. Today's kernel prints
//
//	warren: process 3 (NAME) killed by signal 11 (SIGSEGV) at 0x...
//	warren: process 4 (NAME) exited with status 0
var (
	// startedRE: "warren: started /bin/NAME as process N".
	startedRE = regexp.MustCompile(`warren: started /bin/(\S+) as process (\d+)`)
	// endLineRE finds the process a line is about.
	endLineRE = regexp.MustCompile(`\bprocess (\d+)\b`)
	// endSignalRE reads the signal that killed it, by number or name.
	endSignalRE = regexp.MustCompile(`\bsignal (\d+)|\b(SIG[A-Z]+)\b`)
	// endExitRE reads its exit status.
	endExitRE = regexp.MustCompile(`(?i)\bexit(?:ed)?\b(?:\s+with)?(?:\s+(?:status|code))?\s*[:=]?\s*(\d+)`)
)

// kernelTrouble is text that must not appear on the console of a machine
// whose processes misbehave: the kernel survives them.
var kernelTrouble = []string{"kernel fault", "exception in kernel mode", "panic:", "fatal error:"}

// signals are the numbers of the signal names an end line may carry.
var signals = map[string]int{"SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGBUS": 7, "SIGFPE": 8, "SIGKILL": 9, "SIGSEGV": 11, "SIGTERM": 15}

// procEnd is how a process ended, read from the console.
type procEnd struct {
	pid    int
	signal int    // the signal that killed it; 0: it exited
	status int    // its exit status, when signal is 0
	line   string // the kernel's line
	offset int    // where the line starts in the console output
}

func (e procEnd) String() string {
	if e.signal != 0 {
		return fmt.Sprintf("killed by signal %d", e.signal)
	}
	return fmt.Sprintf("exit status %d", e.status)
}

// machineStatus is the machine's exit status when this process is the
// last to end: the exit status, or 128+signal, of which QEMU's debug-exit
// device keeps 7 bits (see decodeExit in status.go).
func (e procEnd) machineStatus() int {
	if e.signal != 0 {
		return (128 + e.signal) % 128
	}
	return e.status % 128
}

// consoleProcs reads the console: the pid of each program by name, and
// the end of each process that has ended, by pid.
func consoleProcs(out string) (pids map[string]int, ends map[int]procEnd) {
	out = strings.ReplaceAll(out, "\r\n", "\n")
	pids, ends = map[string]int{}, map[int]procEnd{}
	offset := 0
	for _, line := range strings.SplitAfter(out, "\n") {
		start := offset
		offset += len(line)
		line = strings.TrimRight(line, "\r\n")
		if m := startedRE.FindStringSubmatch(line); m != nil {
			pids[m[1]], _ = strconv.Atoi(m[2])
			continue
		}
		m := endLineRE.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(line[m[2]:m[3]])
		if _, ok := ends[pid]; ok {
			continue
		}
		rest := line[m[1]:]
		e := procEnd{pid: pid, line: line, offset: start}
		if s := endSignalRE.FindStringSubmatch(rest); s != nil {
			if s[1] != "" {
				e.signal, _ = strconv.Atoi(s[1])
			} else if e.signal = signals[s[2]]; e.signal == 0 {
				e.signal = -1 // a name not in the table: still a signal
			}
		} else if s := endExitRE.FindStringSubmatch(rest); s != nil {
			e.status, _ = strconv.Atoi(s[1])
		} else {
			continue // some other line about the process
		}
		ends[pid] = e
	}
	return pids, ends
}

// checkKernelHealthy fails the test if the console shows the kernel (or
// the Warren program) in trouble.
func checkKernelHealthy(t *testing.T, out string) {
	t.Helper()
	for _, s := range kernelTrouble {
		if strings.Contains(out, s) {
			t.Errorf("the console shows %q", s)
		}
	}
}

// hostBuild is a program built on the host once per run of the test
// binary. Its bytes are kept; each test writes them, under the names it
// wants, into its own directory.
type hostBuild struct {
	once sync.Once
	data []byte
	err  error
}

var (
	echoBuild     hostBuild // testdata/userc/echo.c
	isolateBuild  hostBuild // testdata/userc/isolate.c
	raceBuild     hostBuild // testdata/userc/race.c
	intrBuild     hostBuild // testdata/userc/intr.c
	hogBuild      hostBuild // testdata/userc/hog.c
	fuzzBuild     hostBuild // testdata/userc/fuzz.c
	userhttpBuild hostBuild // testdata/userhttp
)

func (b *hostBuild) get(t *testing.T, buildTo func(out string) error) []byte {
	t.Helper()
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "warren-user-")
		if err != nil {
			b.err = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "prog")
		if b.err = buildTo(out); b.err == nil {
			b.data, b.err = os.ReadFile(out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.data
}

// cProgram builds testdata/userc/NAME.c with gcc into a static glibc
// executable. A missing gcc skips the test, or fails it under
// WARREN_REQUIRE_QEMU=1 (Debian packages gcc and libc6-dev).
func cProgram(t *testing.T, b *hostBuild, name string) []byte {
	t.Helper()
	qemu.RequireTools(t, "gcc")
	src := filepath.Join(repoRoot(t), "qemu", "testdata", "userc", name+".c")
	return b.get(t, func(out string) error {
		cmd := exec.Command("gcc", "-static", "-O2", "-pthread", "-Wall", "-o", out, src)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("gcc %s: %v (is libc6-dev installed?)\n%s", src, err, msg)
		}
		return checkStaticELF(out)
	})
}

// goProgram builds the package in directory dir of this repository as an
// ordinary static linux/amd64 program: plain go build, no Warren.
func goProgram(t *testing.T, b *hostBuild, dir string) []byte {
	t.Helper()
	root := repoRoot(t)
	return b.get(t, func(out string) error {
		cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./"+dir)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOWORK=off")
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./%s: %v\n%s", dir, err, msg)
		}
		return checkStaticELF(out)
	})
}

// checkStaticELF checks that the file is what a process runs: a static
// x86-64 ELF executable (no interpreter).
func checkStaticELF(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 {
		return fmt.Errorf("%s is %v %v, not a 64-bit x86-64 executable", path, f.Class, f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked", path)
		}
	}
	return nil
}

// userProgram is one program of a user image: the executable's bytes,
// installed as /bin/name, started with args.
type userProgram struct {
	name string
	data []byte
	args []string
}

// userImage writes the programs into a directory of the test and builds
// an image that starts each as a process (build.BuildUser). It returns
// the image; the module with the programs is image+".initrd".
func userImage(t *testing.T, progs ...userProgram) string {
	t.Helper()
	qemu.RequireTools(t, qemu.Binary)
	root := repoRoot(t)
	dir := t.TempDir()
	var ups []build.UserProgram
	for _, p := range progs {
		path := filepath.Join(dir, p.name)
		if err := os.WriteFile(path, p.data, 0o755); err != nil {
			t.Fatal(err)
		}
		ups = append(ups, build.UserProgram{Path: path, Args: p.args})
	}
	image := filepath.Join(dir, "warren.elf")
	if err := build.BuildUser(context.Background(), build.Config{Root: root, Dir: root}, ups, image); err != nil {
		t.Fatalf("building the user image: %v", err)
	}
	return image
}

// userMachine is the machine booting a user image.
func userMachine(image string, opts ...string) (qemu.Machine, error) {
	line, err := build.Cmdline(opts, nil)
	return qemu.Machine{
		Image:   image,
		Modules: []qemu.Module{{Path: image + ".initrd"}},
		Append:  line,
		Memory:  "256M",
	}, err
}

// bootUserGuest boots a user image in the background with a NIC of the
// given model on QEMU's user network, forwarding a host port (TCP and
// UDP) to guestPort; the machine stops when the test ends.
func bootUserGuest(t *testing.T, image, model string, guestPort int, opts ...string) *guest {
	t.Helper()
	m, err := userMachine(image, append([]string{"ip=10.0.2.15/24", "gw=10.0.2.2"}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	var port int
	m.ExtraArgs, port = userNetwork(t, model, guestPort)
	m.Timeout = 5 * time.Minute
	g := runGuest(t, m)
	g.port = port
	return g
}

// waitEnd waits until the console shows that the program installed as
// /bin/name has ended, and returns how.
func (g *guest) waitEnd(name string, d time.Duration) procEnd {
	g.t.Helper()
	deadline := time.Now().Add(d)
	for {
		pids, ends := consoleProcs(g.output())
		if pid, ok := pids[name]; ok {
			if e, ok := ends[pid]; ok {
				return e
			}
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("no end of /bin/%s after %v:\n%s", name, d, g.output())
		}
		select {
		case <-g.done:
			g.t.Fatalf("machine stopped (status %d, %v) before /bin/%s ended:\n%s", g.status, g.err, name, g.output())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// running fails the test if the machine has stopped.
func (g *guest) running() {
	g.t.Helper()
	select {
	case <-g.done:
		g.t.Fatalf("machine stopped (status %d, %v)", g.status, g.err)
	default:
	}
}

// bootUser boots a user image to its end and returns the console output
// (with plain newlines) and the machine's status, after checking that
// the kernel reported no trouble.
func bootUser(t *testing.T, image string) (out string, status int) {
	t.Helper()
	m, err := userMachine(image)
	if err != nil {
		t.Fatal(err)
	}
	return runUser(t, m)
}

// runUser is bootUser on a machine set up by the caller.
func runUser(t *testing.T, m qemu.Machine) (out string, status int) {
	t.Helper()
	m.Timeout = 3 * time.Minute
	log := &lineLogger{t: t}
	m.Stdout = log
	res, err := m.Run(context.Background())
	log.Flush()
	if err != nil {
		t.Fatalf("the machine did not stop with a status: %v", err)
	}
	out = strings.ReplaceAll(string(res.Output), "\r\n", "\n")
	checkKernelHealthy(t, out)
	return out, res.Status
}
