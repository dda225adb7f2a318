package qemu_test

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"debug/buildinfo"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

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

			if err := udpEcho(addr, "datagram to a ring-3 process"); err != nil {
				t.Fatal(err)
			}
			g.running()
			checkKernelHealthy(t, g.output())
		})
	}
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

// TestUserFuzzBesideEcho runs qemu/testdata/userc/fuzz (system calls with
// hostile arguments: kernel, non-canonical, unmapped and misaligned
// pointers, huge lengths) beside the C echo server: the fuzzer must get
// an answer to every call and end normally, and the echo server must
// still echo afterwards, with the kernel healthy.
func TestUserFuzzBesideEcho(t *testing.T) {
	echo := cProgram(t, &echoBuild, "echo")
	fuzz := cProgram(t, &fuzzBuild, "fuzz")
	calls := "100000"
	if testing.Short() {
		calls = "10000"
	}
	// A fixed seed makes a failure replayable; WARREN_FUZZ_SEED tries
	// others.
	seed := cmp.Or(os.Getenv("WARREN_FUZZ_SEED"), "0x5eed")
	t.Logf("fuzz %s calls, seed %s", calls, seed)
	image := userImage(t,
		userProgram{"echo", echo, []string{"7"}},
		userProgram{"fuzz", fuzz, []string{calls, seed}},
	)
	g := bootUserGuest(t, image, nicModels[0], 7)
	g.waitFor("echo: listening on port 7", 2*time.Minute)
	if e := g.waitEnd("fuzz", 5*time.Minute); e.signal != 0 || e.status != 0 {
		t.Fatalf("/bin/fuzz: %v: %s", e, e.line)
	}
	g.waitFor("fuzz ok: ", time.Minute)
	for _, l := range strings.Split(g.output(), "\n") {
		if strings.Contains(l, "fuzz ok") {
			t.Log(strings.TrimSpace(l))
		}
	}
	addr := fmt.Sprint("127.0.0.1:", g.port)
	waitEcho(t, addr, time.Minute)
	if err := echoRoundTrip(addr, 1<<20, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	g.running()
	checkKernelHealthy(t, g.output())
}
