package qemu_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"io"
	"net"
	"net/http"
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

// Kernel addresses a process tries to reach: the kernel image's high
// alias and the kernel stacks, both mapped supervisor-only in every
// process's page tables, and a low address where the kernel's image
// lies in its own address space but nothing is mapped in a process's.
var kernelAddrs = []struct{ name, addr string }{
	{"image", "0xffffff8000101000"},
	{"stack", "0xffffc00000010000"},
	{"low", "0x101000"},
}

// TestUserIsolation runs qemu/testdata/userc/isolate as many processes
// at once, each trying one way out of its confinement: loads and stores
// to kernel addresses and privileged instructions must kill it with
// SIGSEGV, kernel addresses as system call buffers must fail with EFAULT,
// a SIGSEGV handler on the alternate stack must run, and pthreads must
// work. The kernel must survive it all and stop the machine, when the
// last process has ended, with that process's status.
func TestUserIsolation(t *testing.T) {
	isolate := cProgram(t, &isolateBuild, "isolate")

	// Each case is a copy of isolate named after it (letters and dashes),
	// so that the console's "started /bin/NAME as process N" tells the
	// processes apart.
	type want struct {
		signals []int // killed by one of these
		status  int   // or, if signals is nil, exited with this
	}
	segv := want{signals: []int{11}}
	type tcase struct {
		userProgram
		want want
	}
	var cases []tcase
	for _, k := range kernelAddrs {
		cases = append(cases,
			tcase{userProgram{"read-" + k.name, isolate, []string{"read-kernel", k.addr}}, segv},
			tcase{userProgram{"write-" + k.name, isolate, []string{"write-kernel", k.addr}}, segv},
			tcase{userProgram{"syscall-" + k.name, isolate, []string{"syscall-kernel", k.addr}}, want{}},
		)
	}
	for _, insn := range []struct{ name, arg string }{
		{"cli", "cli"}, {"hlt", "hlt"}, {"in", "in"}, {"out", "out"},
		{"rdmsr", "rdmsr"}, {"wrmsr", "wrmsr"}, {"movcr", "mov-cr3"}, {"lgdt", "lgdt"},
	} {
		// #GP in user mode is SIGSEGV on Linux; SIGILL is let pass.
		cases = append(cases, tcase{userProgram{"priv-" + insn.name, isolate, []string{"privileged", insn.arg}}, want{signals: []int{11, 4}}})
	}
	// threads runs longest (800,000 contended mutex operations and a 10 ms
	// sleep), so the process listed last is also, in practice, the last
	// to end.
	cases = append(cases,
		tcase{userProgram{"handler", isolate, []string{"handler", kernelAddrs[0].addr}}, want{status: 42}},
		tcase{userProgram{"threads", isolate, []string{"threads"}}, want{}},
	)
	var progs []userProgram
	for _, c := range cases {
		progs = append(progs, c.userProgram)
	}
	image := userImage(t, progs...)

	m, err := userMachine(image)
	if err != nil {
		t.Fatal(err)
	}
	m.Timeout = 3 * time.Minute
	log := &lineLogger{t: t}
	m.Stdout = log
	res, err := m.Run(context.Background())
	log.Flush()
	if err != nil {
		t.Fatalf("the machine did not stop with a status: %v", err)
	}
	out := strings.ReplaceAll(string(res.Output), "\r\n", "\n")
	checkKernelHealthy(t, out)

	pids, ends := consoleProcs(out)
	var last procEnd
	lastName := ""
	for _, c := range cases {
		pid, ok := pids[c.name]
		if !ok {
			t.Errorf("/bin/%s was not started", c.name)
			continue
		}
		e, ok := ends[pid]
		if !ok {
			t.Errorf("/bin/%s (%v, process %d): no end reported", c.name, c.args, pid)
			continue
		}
		if lastName == "" || e.offset > last.offset {
			last, lastName = e, c.name
		}
		switch {
		case c.want.signals != nil && !containsInt(c.want.signals, e.signal):
			t.Errorf("/bin/%s (%v): %v, want killed by signal %v: %s", c.name, c.args, e, c.want.signals, e.line)
		case c.want.signals == nil && (e.signal != 0 || e.status != c.want.status):
			t.Errorf("/bin/%s (%v): %v, want exit status %d: %s", c.name, c.args, e, c.want.status, e.line)
		}
	}
	if len(pids) != len(cases) {
		t.Errorf("%d programs started, want %d", len(pids), len(cases))
	}
	seen := map[int]string{}
	for name, pid := range pids {
		if other, ok := seen[pid]; ok {
			t.Errorf("/bin/%s and /bin/%s are both process %d", other, name, pid)
		}
		seen[pid] = name
	}

	// What the programs printed (their lines are whole writes, so they do
	// not tear, but they interleave).
	if strings.Contains(out, "FAIL:") {
		t.Errorf("a program reported a failure (FAIL: lines above)")
	}
	if n, w := strings.Count(out, "EFAULT ok: "), 5*len(kernelAddrs); n != w {
		t.Errorf("%d EFAULT ok lines, want %d", n, w)
	}
	if !strings.Contains(out, "caught SIGSEGV at "+kernelAddrs[0].addr+" on the alternate stack") {
		t.Errorf("the SIGSEGV handler's line is missing")
	}
	if !strings.Contains(out, "threads ok") {
		t.Errorf("threads did not pass")
	}

	if lastName != "" && res.Status != last.machineStatus() {
		t.Errorf("machine status %d; the last process to end was /bin/%s (%v), which makes it %d", res.Status, lastName, last, last.machineStatus())
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestUserEchoServer runs qemu/testdata/userc/echo, a C echo server on
// glibc with a thread per connection, as the image's process, and
// reaches it from the host through QEMU's user network: concurrent TCP
// connections each echo over 1 MiB of random bytes, and a UDP datagram
// comes back.
func TestUserEchoServer(t *testing.T) {
	echo := cProgram(t, &echoBuild, "echo")
	image := userImage(t, userProgram{"echo", echo, []string{"7"}})
	for _, model := range nicModels {
		t.Run(model, func(t *testing.T) {
			g := bootUserGuest(t, image, model, 7)
			g.waitFor("echo: listening on port 7", 2*time.Minute)
			addr := fmt.Sprint("127.0.0.1:", g.port)
			waitEcho(t, addr, time.Minute)

			const conns = 4
			var wg sync.WaitGroup
			errs := make(chan error, conns)
			for i := 0; i < conns; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- echoRoundTrip(addr, 1<<20+4099*i, 3*time.Minute)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}

			u, err := net.Dial("udp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer u.Close()
			msg := []byte("datagram to a ring-3 process")
			buf := make([]byte, 100)
			for try := 0; ; try++ { // UDP may be lost: retry a few times
				u.Write(msg)
				u.SetReadDeadline(time.Now().Add(2 * time.Second))
				n, err := u.Read(buf)
				if err == nil {
					if !bytes.Equal(buf[:n], msg) {
						t.Fatalf("udp echo %q", buf[:n])
					}
					break
				}
				if try == 5 {
					t.Fatalf("no udp echo: %v", err)
				}
			}
			g.running()
			checkKernelHealthy(t, g.output())
		})
	}
}

// waitEcho retries a small echo until one comes back: QEMU accepts the
// host's connection before the guest does, so a guest not ready yet looks
// like a connection closed at once.
func waitEcho(t *testing.T, addr string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := echoRoundTrip(addr, 16, 10*time.Second)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no echo from %s after %v: %v", addr, d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// echoRoundTrip sends n random bytes over a new TCP connection, closes
// its sending side and checks that exactly those bytes come back.
func echoRoundTrip(addr string, n int, d time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, d)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(d))
	data := make([]byte, n)
	rand.Read(data)
	werr := make(chan error, 1)
	go func() {
		_, err := conn.Write(data)
		if err == nil {
			err = conn.(*net.TCPConn).CloseWrite()
		}
		werr <- err
	}()
	got, err := io.ReadAll(conn)
	if err != nil {
		return fmt.Errorf("echo of %d bytes: after %d: %v", n, len(got), err)
	}
	if err := <-werr; err != nil {
		return fmt.Errorf("echo of %d bytes: sending: %v", n, err)
	}
	if !bytes.Equal(got, data) {
		return fmt.Errorf("echoed %d bytes, not the %d sent (or not the same ones)", len(got), n)
	}
	return nil
}

// httpGet fetches url, retrying failed connections until d has passed,
// and returns the status and body.
func httpGet(t *testing.T, c *http.Client, url string, d time.Duration) (int, string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		resp, err := c.Get(url)
		if err == nil {
			var body []byte
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil {
				return resp.StatusCode, string(body)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// userhttpProgram is qemu/testdata/userhttp serving on :80, and the Go
// version it reports.
func userhttpProgram(t *testing.T) (userProgram, string) {
	t.Helper()
	data := goProgram(t, &userhttpBuild, "qemu/testdata/userhttp")
	bi, err := buildinfo.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return userProgram{"userhttp", data, []string{"-addr", ":80"}}, bi.GoVersion
}

// TestUserGoHTTP runs qemu/testdata/userhttp, a static Go net/http server
// built by plain go build, as the image's process: its page names its pid
// (the process number the init program announced) and Go version, a 64
// KiB body comes back from /echo, and the boot command line's
// WARREN_TEST_VAR is in its environment.
func TestUserGoHTTP(t *testing.T) {
	prog, goVersion := userhttpProgram(t)
	image := userImage(t, prog)
	for _, model := range nicModels {
		t.Run(model, func(t *testing.T) {
			g := bootUserGuest(t, image, model, 80, "WARREN_TEST_VAR=hello")
			g.waitFor("userhttp: listening on :80", 2*time.Minute)
			pids, _ := consoleProcs(g.output())
			pid, ok := pids["userhttp"]
			if !ok {
				t.Fatalf("no started line for /bin/userhttp")
			}
			base := fmt.Sprintf("http://127.0.0.1:%d", g.port)
			c := &http.Client{Timeout: time.Minute}

			code, body := httpGet(t, c, base+"/", time.Minute)
			if code != 200 || !strings.Contains(body, goVersion) {
				t.Errorf("GET /: %d %q, want 200 naming %s", code, body, goVersion)
			}
			if want := fmt.Sprintf("pid %d,", pid); !strings.Contains(body, want) {
				t.Errorf("GET /: %q does not say %q (process %d)", body, want, pid)
			}

			data := make([]byte, 64<<10)
			rand.Read(data)
			resp, err := c.Post(base+"/echo", "application/octet-stream", bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, data) {
				t.Errorf("POST /echo: %d, %d bytes (%v); want 200 and the %d bytes sent", resp.StatusCode, len(got), err, len(data))
			}

			if code, body := httpGet(t, c, base+"/env", time.Minute); code != 200 || body != "hello" {
				t.Errorf("GET /env: %d %q, want 200 %q", code, body, "hello")
			}
			g.running()
			checkKernelHealthy(t, g.output())
		})
	}
}

// TestUserCrashKeepsServing runs the Go HTTP server next to a process
// that stores to the kernel's image and dies of it: once the console has
// reported that death, the server still answers, as a process of a
// machine that is still running.
func TestUserCrashKeepsServing(t *testing.T) {
	isolate := cProgram(t, &isolateBuild, "isolate")
	server, _ := userhttpProgram(t)
	image := userImage(t, server, userProgram{"crasher", isolate, []string{"write-kernel", kernelAddrs[0].addr}})

	g := bootUserGuest(t, image, nicModels[0], 80)
	g.waitFor("userhttp: listening on :80", 2*time.Minute)
	if e := g.waitEnd("crasher", 2*time.Minute); e.signal != 11 {
		t.Fatalf("/bin/crasher: %v, want killed by SIGSEGV: %s", e, e.line)
	}
	c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
	url := fmt.Sprintf("http://127.0.0.1:%d/", g.port)
	for i := 0; i < 5; i++ {
		if code, body := httpGet(t, c, url, time.Minute); code != 200 || !strings.Contains(body, "userhttp: pid ") {
			t.Fatalf("GET / #%d after the crash: %d %q", i, code, body)
		}
	}
	g.running()
	pids, ends := consoleProcs(g.output())
	if e, ok := ends[pids["userhttp"]]; ok {
		t.Errorf("/bin/userhttp ended: %v: %s", e, e.line)
	}
	checkKernelHealthy(t, g.output())
}

// TestUserISO boots a user image from a GRUB rescue ISO, which carries
// the programs as a module: the handler case of isolate catches its own
// SIGSEGV and exits 42, which must be the machine's status.
func TestUserISO(t *testing.T) {
	qemu.RequireTools(t, "grub-mkrescue", "xorriso")
	isolate := cProgram(t, &isolateBuild, "isolate")
	image := userImage(t, userProgram{"handler", isolate, []string{"handler", kernelAddrs[0].addr}})
	iso := filepath.Join(t.TempDir(), "warren.iso")
	mods := []build.BootModule{{Path: image + build.UserArchiveSuffix, Name: build.ArchiveModule}}
	if err := build.BuildISO(context.Background(), image, iso, "", mods); err != nil {
		t.Fatal(err)
	}
	log := &lineLogger{t: t}
	res, err := (&qemu.Machine{ISO: iso, Memory: "256M", Timeout: 3 * time.Minute, Stdout: log}).Run(context.Background())
	log.Flush()
	if err != nil {
		t.Fatalf("the machine did not stop with a status: %v", err)
	}
	out := strings.ReplaceAll(string(res.Output), "\r\n", "\n")
	checkKernelHealthy(t, out)
	if !strings.Contains(out, "caught SIGSEGV at "+kernelAddrs[0].addr) {
		t.Errorf("the handler did not report the fault:\n%s", out)
	}
	if res.Status != 42 {
		t.Errorf("machine status %d, want 42 (the process's)", res.Status)
	}
}
