// Command httpd is a net/http server on Warren's network stack: a page
// describing the machine, /download for throughput tests and /stats with
// NIC, stack and memory counters.
package main

import (
	"flag"
	"fmt"
	"html"
	"log"
	"net/http"
	"net/netip"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	wnet "warren.dev/net"
)

// The soak test (qemu/soak_test.go) spreads its load over several ports
// and then checks that each still accepts, so the site can be served on
// more than one.
var ports = flag.String("port", "80", "the HTTP port, or several separated by commas")

func main() {
	flag.Parse()
	s := wnet.Default()
	if s == nil {
		log.Fatal(wnet.ErrNoStack)
	}
	fmt.Print(s.Live())
	srv := &http.Server{Handler: newHandler(s), ReadHeaderTimeout: 10 * time.Second}
	list := strings.Split(*ports, ",")
	errc := make(chan error, len(list))
	for _, p := range list {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			log.Fatalf("-port %s: %q is not a port", *ports, p)
		}
		ln, err := s.ListenTCP(netip.AddrPortFrom(netip.Addr{}, uint16(n)))
		if err != nil {
			log.Fatal(err)
		}
		go func() { errc <- srv.Serve(ln) }()
	}
	if len(list) == 1 {
		fmt.Printf("httpd: serving on port %s\n", list[0])
	} else {
		fmt.Printf("httpd: serving on ports %s\n", strings.Join(list, ", "))
	}
	log.Fatal(<-errc)
}

// interfacesTTL is how long the page reuses its description of the
// interfaces: describing them costs far more than the rest of the page
// (on Linux, two netlink dumps per interface and a /proc file), and a
// page that says "up N s" needs nothing fresher.
const interfacesTTL = time.Second

// interfaces describes s's interfaces for the page, read at most
// interfacesTTL ago.
type interfaces struct {
	s    *wnet.Stack
	mu   sync.Mutex
	at   time.Time
	text string
}

func (c *interfaces) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); c.at.IsZero() || now.Sub(c.at) >= interfacesTTL {
		c.text, c.at = html.EscapeString(c.s.Live().String()), now
	}
	return c.text
}

// newHandler returns the site, its counters drawn from s.
func newHandler(s *wnet.Stack) http.Handler {
	start := time.Now()
	ifcs := &interfaces{s: s}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, page, ifcs.String(), time.Since(start).Round(time.Second),
			runtime.NumCPU(), runtime.Version())
	})
	mux.HandleFunc("GET /download", download)
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		// ?gc=1 collects and returns free memory first, so that the
		// figures are what is live: without it they depend on where the
		// collector is in its cycle, and cannot show a leak.
		if r.URL.Query().Get("gc") == "1" {
			// Twice: what sync.Pools hold survives one collection.
			debug.FreeOSMemory()
			debug.FreeOSMemory()
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "uptime %v\n\n%s\n%s%s\n%s", time.Since(start).Round(time.Millisecond), s.Live(), s.Stats(), tcpStates(s), memStats())
	})
	return mux
}

const page = `<!doctype html>
<title>Warren</title>
<h1>Hello from Warren</h1>
<p>A Go program on bare metal, speaking through gVisor's netstack.</p>
<pre>%s</pre>
<p>Up %v on %d CPUs, %s.</p>
<ul>
<li><a href="/stats">/stats</a>: NIC, stack and memory counters (<a href="/stats?gc=1">after a collection</a>)
<li><a href="/download?bytes=104857600">/download?bytes=N</a>: N bytes of generated data
</ul>
`

// maxDownload bounds one download; a typo should not stream for hours.
const maxDownload = 1 << 40

// pattern is the data /download repeats: printable, so a truncation shows.
var pattern = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = "0123456789abcdefghijklmnopqrstuvwxyz\n"[i%37]
	}
	return b
}()

// download streams ?bytes=N bytes (default 1 MiB) with a Content-Length.
func download(w http.ResponseWriter, r *http.Request) {
	n := int64(1 << 20)
	if q := r.URL.Query().Get("bytes"); q != "" {
		v, err := strconv.ParseInt(q, 10, 64)
		if err != nil || v < 0 || v > maxDownload {
			http.Error(w, "bytes must be a count from 0 to 2^40", http.StatusBadRequest)
			return
		}
		n = v
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	for n > 0 {
		chunk := pattern[:min(n, int64(len(pattern)))]
		if _, err := w.Write(chunk); err != nil {
			return
		}
		n -= int64(len(chunk))
	}
}

// memStats describes the Go heap, the goroutines and the machine's RAM:
// sysinfo(2) counts every page in use, the kernel's and the drivers'
// included, so a leak anywhere shows there.
func memStats() string {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	mb := func(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
	out := fmt.Sprintf("memory: heap alloc %s, heap in use %s, heap idle %s, stacks %s, total from OS %s\n"+
		"gc: %d cycles, last pause %v, total pause %v\ngoroutines: %d\n",
		mb(m.HeapAlloc), mb(m.HeapInuse), mb(m.HeapIdle), mb(m.StackInuse), mb(m.Sys),
		m.NumGC, time.Duration(m.PauseNs[(m.NumGC+255)%256]), time.Duration(m.PauseTotalNs), runtime.NumGoroutine())
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		unit := uint64(max(si.Unit, 1))
		total, free := si.Totalram*unit, si.Freeram*unit
		out += fmt.Sprintf("ram (sysinfo): total %s, free %s, used %s\n", mb(total), mb(free), mb(total-free))
	}
	return out
}
