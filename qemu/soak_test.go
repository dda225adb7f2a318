package qemu_test

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"warren.dev/qemu"
)

// soakEnv, set to a duration (WARREN_SOAK=5m), runs TestSoak's load for
// that long instead of soakShort; synRateEnv sets the SYN flood's rate.
const (
	soakEnv    = "WARREN_SOAK"
	synRateEnv = "WARREN_SOAK_SYNS"
)

const (
	soakShort = 20 * time.Second
	// synRate is the SYN flood's default rate, a second. A TCG guest on a
	// two-core host takes about twice that with the rest of the load;
	// beyond what it takes, the flood's SYNs queue in the tap device and
	// in the listener, and the first new connection after the flood
	// waits behind them.
	synRate     = 1000
	churners    = 4    // goroutines opening and closing connections
	idleConns   = 100  // connections held open and idle throughout
	httpWorkers = 8    // keep-alive clients fetching in a loop
	memSlack    = 0.05 // how far the guest's memory may move from warm-up to the end
	// quietRecovery is how soon after the load a fresh GET must succeed
	// in the long form (WARREN_SOAK), run on a host kept quiet for it.
	// The short form runs inside make test, beside other QEMU tests on a
	// host that may be busy, where how fast a TCG guest answers is the
	// host's doing: there it must answer within busyRecovery (alive, not
	// dead), and the time is reported.
	quietRecovery = time.Second
	busyRecovery  = 30 * time.Second
)

// TestSoak boots examples/httpd on each NIC model and puts it under a
// SYN flood from spoofed sources, connection churn, idle connections and
// HTTP load at once, in two phases: a warm-up and the rest. After each it
// stops the load and requires the network to have survived: a fresh GET
// (within a second in the long form, see quietRecovery), ping, every
// port accepting, every idle connection answering. The guest's memory after the warm-up and at the end must
// agree within 5 %. Issue 11: a flood once left virtio-net's transmit
// queue stalled for good.
func TestSoak(t *testing.T) {
	d, rate := soakShort, synRate
	if v := os.Getenv(soakEnv); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d < soakShort {
			t.Fatalf("%s=%q: want a duration of at least %v, such as 5m", soakEnv, v, soakShort)
		}
	}
	if v := os.Getenv(synRateEnv); v != "" {
		var err error
		if rate, err = strconv.Atoi(v); err != nil || rate < 100 {
			t.Fatalf("%s=%q: want SYNs a second, at least 100", synRateEnv, v)
		}
	}
	for _, model := range nicModels {
		t.Run(model, func(t *testing.T) { soak(t, model, d, rate) })
	}
}

// soakLoad counts what the load generators did.
type soakLoad struct {
	syns, arpReplies         atomic.Uint64
	churnOpened, churnFailed atomic.Uint64
	requests, failed, bytes  atomic.Uint64
	lastOK, longestGap       atomic.Int64 // since started, ns: the last response, the longest time between two
	gapEnd                   atomic.Int64 // since started, ns: when the longest gap ended
	started                  time.Time
	floodErr, arpErr         error

	mu       sync.Mutex
	firstErr error
}

// fail notes a load error; the first is logged.
func (l *soakLoad) fail(n *atomic.Uint64, err error) {
	n.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.firstErr == nil {
		l.firstErr = fmt.Errorf("after %v: %w", time.Since(l.started).Round(time.Millisecond), err)
	}
}

// ok notes a response and the time since the one before.
func (l *soakLoad) ok(n int64) {
	l.requests.Add(1)
	l.bytes.Add(uint64(n))
	now := time.Since(l.started).Nanoseconds()
	gap := now - l.lastOK.Swap(now)
	for {
		g := l.longestGap.Load()
		if gap <= g {
			return
		}
		if l.longestGap.CompareAndSwap(g, gap) {
			l.gapEnd.Store(now)
			return
		}
	}
}

// soakRun is one NIC's soak.
type soakRun struct {
	t     *testing.T
	g     *hostileGuest
	rate  int          // SYNs a second
	stats *http.Client // keep-alive, for /stats
	idle  []*keepAlive
	// established and goroutines are the guest's counts with the idle
	// connections and the stats client's alone open.
	established, goroutines uint64
	synSock, arpSock        *os.File
	l                       soakLoad
}

func soak(t *testing.T, model string, d time.Duration, rate int) {
	ns := newNetns(t, "ping")
	// The machine lives for the load, with room for booting, the pauses
	// between phases and the checks.
	r := &soakRun{t: t, g: startHostileGuest(t, ns, model, d+5*time.Minute), rate: rate}
	r.stats = r.g.client(time.Minute, true)
	defer func() {
		for _, c := range r.idle {
			c.Close()
		}
	}()
	for i := range idleConns {
		c, err := dialKeepAlive(context.Background(), r.g, hostilePorts[i%len(hostilePorts)])
		if err == nil {
			r.idle = append(r.idle, c)
			_, err = c.get("/", 30*time.Second)
		}
		if err != nil {
			t.Fatalf("opening idle connection %d: %v", i, err)
		}
	}
	idle, page, err := r.g.stats(r.stats, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("/stats?gc=1 before the load, %d idle connections open:\n%s", len(r.idle), page)
	r.established, r.goroutines = idle["tcp.CurrentEstablished"], idle["goroutines"]
	before, err := r.g.counters()
	if err != nil {
		t.Fatalf("counters before the load: %v", err)
	}
	if r.synSock, err = ns.TapSocket(0); err != nil {
		t.Fatal(err)
	}
	defer r.synSock.Close()
	if r.arpSock, err = ns.TapSocket(etherARP); err != nil {
		t.Fatal(err)
	}
	defer r.arpSock.Close()

	// The memory is compared between two moments alike: the load stopped,
	// the connections it opened gone, what the SYN flood leaves (a listen
	// backlog of half-open connections, each retrying its SYN-ACK for
	// about a minute) still there. The first comes after a warm-up long
	// enough to fill that backlog, the second at the end. Under load the
	// figure follows how many closed connections the guest has yet to
	// tear down, which says how busy it is, not whether it leaks.
	warm := min(max(d/3, 10*time.Second), time.Minute)
	r.l.started = time.Now()
	r.phase("warm-up", warm)
	r.recovery("after the warm-up")
	atWarm := r.settle("after the warm-up")
	r.phase("load", d-warm)
	r.recovery("at the end")
	atEnd := r.settle("at the end")

	// Reading the counters is one more port accepting after the load.
	after, err := r.g.counters()
	if err != nil {
		t.Fatalf("counters after the load: %v", err)
	}
	dropped, _ := ns.Run("cat", "/sys/class/net/"+qemu.TapDevice+"/statistics/tx_dropped")

	l := &r.l
	secs := d.Seconds()
	t.Logf("%v of load on %s:", d, model)
	t.Logf("  SYN flood: %d spoofed SYNs (%.0f/s) to port %d, %d ARP replies for the spoofed sources; the host's tap dropped %s frames QEMU did not take",
		l.syns.Load(), float64(l.syns.Load())/secs, floodPort, l.arpReplies.Load(), strings.TrimSpace(dropped))
	t.Logf("  churn: %d connections opened and closed (%.0f/s) on ports %v, %d failed",
		l.churnOpened.Load(), float64(l.churnOpened.Load())/secs, hostilePorts, l.churnFailed.Load())
	t.Logf("  HTTP: %d keep-alive GETs (%.0f/s, %.1f MB), %d failed; longest time without a response %v, ending %v after the load began",
		l.requests.Load(), float64(l.requests.Load())/secs, float64(l.bytes.Load())/1e6, l.failed.Load(),
		time.Duration(l.longestGap.Load()).Round(time.Millisecond), time.Duration(l.gapEnd.Load()).Round(time.Millisecond))
	if l.firstErr != nil {
		t.Logf("  first load error: %v", l.firstErr)
	}
	moved := delta(after, before)
	var counters []string
	for _, k := range soakCounters {
		if _, ok := after[k]; ok {
			counters = append(counters, fmt.Sprintf("%s +%d", k, moved[k]))
		}
	}
	t.Logf("  the guest's counters over the load: %s", strings.Join(counters, ", "))
	for _, err := range []error{l.floodErr, l.arpErr} {
		if err != nil {
			t.Errorf("load generator: %v", err)
		}
	}
	if l.syns.Load() == 0 || l.churnOpened.Load() == 0 || l.requests.Load() == 0 {
		t.Errorf("a part of the load did nothing")
	}
	t.Logf("  half-open (SYN-RCVD) connections: %d after the warm-up, %d at the end; the live Go heap grew %.1f MiB from before the load to after the warm-up",
		atWarm["tcp.SYN-RCVD"], atEnd["tcp.SYN-RCVD"], mib(atWarm["go.heapalloc"])-mib(idle["go.heapalloc"]))
	t.Logf("  memory, load stopped, after a collection: RAM in use %.1f MiB after the %v warm-up, %.1f MiB at the end; Go heap in use %.1f and %.1f MiB",
		mib(atWarm["ram.used"]), warm, mib(atEnd["ram.used"]), mib(atWarm["go.heapinuse"]), mib(atEnd["go.heapinuse"]))
	// Checked: the live heap, where a leak of anything the Go program
	// holds shows (netstack's endpoints and buffers, goroutines), and the
	// RAM in use less the free room in the heap's spans in use, which adds
	// the kernel's, the drivers' and the runtime's pages. That room moves
	// by a megabyte or more between two collections of the same live heap
	// (which spans the survivors happen to pin), and says nothing about
	// leaks.
	for _, m := range []struct {
		what string
		fig  func(guestStats) uint64
	}{
		{"live Go heap", func(s guestStats) uint64 { return s["go.heapalloc"] }},
		{"RAM in use less the heap's free room", func(s guestStats) uint64 { return s["ram.used"] - (s["go.heapinuse"] - s["go.heapalloc"]) }},
	} {
		w, e := m.fig(atWarm), m.fig(atEnd)
		change := (float64(e) - float64(w)) / float64(w)
		t.Logf("  %s: %.1f MiB after the warm-up, %.1f MiB at the end (%+.1f %%, limit ±%.0f %%)",
			m.what, mib(w), mib(e), 100*change, 100*memSlack)
		if atWarm["ram.used"] == 0 || atEnd["ram.used"] == 0 || w == 0 {
			t.Errorf("/stats gave no memory figures")
		} else if change > memSlack || change < -memSlack {
			t.Errorf("%s moved %+.1f %% from the warm-up to the end, more than %.0f %%", m.what, 100*change, 100*memSlack)
		}
	}
}

// soakCounters are the counters a soak logs: frames, segments, what the
// flood cost (SYN cookies, resets, ARP), drops, and the drivers' own:
// virtio-net's kicks of a device that stopped serving its transmit queue
// (issue 11), e1000's full rings and overruns.
var soakCounters = []string{
	"nic.eth0.link.RxPackets", "nic.eth0.link.TxPackets", "nic.eth0.link.RxDropped", "nic.eth0.link.TxDropped",
	"netstack.TCP.ValidSegmentsReceived", "netstack.TCP.SegmentsSent", "netstack.TCP.PassiveConnectionOpenings",
	"netstack.TCP.ListenOverflowSynCookieSent", "netstack.TCP.ListenOverflowSynDrop", "netstack.TCP.ResetsSent",
	"netstack.TCP.ResetsReceived", "netstack.TCP.Retransmits", "netstack.ARP.OutgoingRequestsSent",
	"netstack.ARP.RepliesReceived", "netstack.DroppedPackets",
	"nic.eth0.driver.RX.Dropped", "nic.eth0.driver.TX.Dropped", "nic.eth0.driver.TXWaitKicks", "nic.eth0.driver.TXStallKicks",
	"nic.eth0.driver.RxOverruns", "nic.eth0.driver.TxRingFull",
}

// phase runs the whole load for d, logging the guest's state as it goes,
// and stops it.
func (r *soakRun) phase(name string, d time.Duration) {
	t, g, l := r.t, r.g, &r.l
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		stop()
		wg.Wait()
	}()
	l.lastOK.Store(time.Since(l.started).Nanoseconds()) // the pause before is no gap
	wg.Go(func() { l.floodErr = cmp.Or(l.floodErr, synFlood(ctx, r.synSock, r.rate, &l.syns)) })
	wg.Go(func() { l.arpErr = cmp.Or(l.arpErr, answerARP(ctx, r.arpSock, &l.arpReplies)) })
	for i := range churners {
		wg.Go(func() { churn(ctx, g, l, i) })
	}
	for range httpWorkers {
		wg.Go(func() { httpLoad(ctx, g, l) })
	}
	start := time.Now()
	step := max(5*time.Second, d/10)
	for at := min(step, d); ; at = min(at+step, d) {
		select {
		case <-time.After(time.Until(start.Add(at))):
		case <-g.done:
			t.Fatalf("the machine stopped under load (status %d, %v)", g.status, g.err)
		}
		syns, churned, gets := l.syns.Load(), l.churnOpened.Load(), l.requests.Load()
		if s, _, err := g.stats(r.stats, false); err != nil {
			t.Errorf("%s, %v: /stats: %v", name, at, err)
		} else {
			t.Logf("%s, %v: SYN-RCVD %d, ESTABLISHED %d, RAM in use %.1f MiB, Go heap in use %.1f MiB, %d goroutines; so far %d SYNs, %d churned, %d GETs",
				name, at, s["tcp.SYN-RCVD"], s["tcp.ESTABLISHED"], mib(s["ram.used"]), mib(s["go.heapinuse"]), s["goroutines"], syns, churned, gets)
		}
		if at == d {
			return
		}
	}
}

// recovery checks, the load just stopped, that the guest serves a fresh
// GET (quietRecovery, busyRecovery), answers ping, accepts on every port
// and answers on every idle connection.
func (r *soakRun) recovery(when string) {
	t, g := r.t, r.g
	start := time.Now()
	within := busyRecovery
	if os.Getenv(soakEnv) != "" {
		within = quietRecovery
	}
	if err := g.fetchPage(within); err != nil {
		t.Errorf("%s: a fresh GET within %v of the load stopping: %v", when, within, err)
		recovered(t, g)
		g.evidence(t)
	} else {
		t.Logf("%s: fresh GET in %v", when, time.Since(start).Round(time.Microsecond))
	}
	if out, err := g.ns.Run("ping", "-c", "3", "-i", "0.2", "-W", "2", guestIP.String()); err != nil {
		t.Errorf("%s: ping: %v\n%s", when, err, out)
	} else {
		t.Logf("%s: ping: %s", when, lastLines(out, 2))
	}
	for _, p := range hostilePorts {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := dialKeepAlive(ctx, g, p)
		cancel()
		if err == nil {
			_, err = c.get("/", 10*time.Second)
			c.Close()
		}
		if err != nil {
			t.Errorf("%s: port %d: %v", when, p, err)
		}
	}
	answered := 0
	for i, c := range r.idle {
		if _, err := c.get("/", 10*time.Second); err != nil {
			t.Errorf("%s: idle connection %d (of %d): %v", when, i, len(r.idle), err)
			continue
		}
		answered++
	}
	t.Logf("%s: ports %v accepted; %d of %d idle connections answered", when, hostilePorts, answered, len(r.idle))
}

// settle waits, the load stopped, until the connections it opened and
// the goroutines serving them are gone, and returns the guest's figures
// after a collection.
func (r *soakRun) settle(when string) guestStats {
	t, g := r.t, r.g
	start := time.Now()
	for {
		s, _, err := g.stats(r.stats, false)
		if err == nil && s["tcp.CurrentEstablished"] <= r.established && s["goroutines"] <= r.goroutines {
			break
		}
		if time.Since(start) > time.Minute {
			t.Errorf("%s: after a minute still %d connections established and %d goroutines, want %d and %d: %v",
				when, s["tcp.CurrentEstablished"], s["goroutines"], r.established, r.goroutines, err)
			break
		}
		select {
		case <-time.After(500 * time.Millisecond):
		case <-g.done:
			t.Fatalf("the machine stopped (status %d, %v)", g.status, g.err)
		}
	}
	s, page, err := g.stats(r.stats, true)
	if err != nil {
		t.Fatalf("/stats?gc=1 %s: %v", when, err)
	}
	states, _, _ := strings.Cut(page[strings.Index(page, "tcp states:"):], "\n")
	t.Logf("%s (settled in %v): RAM in use %.1f MiB, Go heap %.1f MiB live (%.1f MiB in use), %d goroutines; %s",
		when, time.Since(start).Round(time.Millisecond), mib(s["ram.used"]), mib(s["go.heapalloc"]), mib(s["go.heapinuse"]), s["goroutines"], states)
	return s
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "; ")
}

// recovered tells, after a failed fetch, whether the guest answers at
// all: a network that is slow and one that is dead fail the same check
// and are different bugs.
func recovered(t *testing.T, g *hostileGuest) {
	t.Helper()
	start := time.Now()
	var err error
	for time.Since(start) < 30*time.Second {
		attempt := time.Now()
		if err = g.fetchPage(5 * time.Second); err == nil {
			t.Logf("the page came back %v after the failed fetch", time.Since(start).Round(time.Millisecond))
			return
		}
		// A refused connection fails at once: not a loop of them.
		time.Sleep(time.Until(attempt.Add(200 * time.Millisecond)))
	}
	t.Logf("no page for 30 s after the failed fetch (%v): the network is dead", err)
}

// keepAlive is an HTTP/1.1 connection to the guest that stays open
// between requests until closed.
type keepAlive struct {
	net.Conn
	r *bufio.Reader
}

func dialKeepAlive(ctx context.Context, g *hostileGuest, port uint16) (*keepAlive, error) {
	c, err := g.ns.DialContext(ctx, "tcp", netip.AddrPortFrom(guestIP, port).String())
	if err != nil {
		return nil, err
	}
	return &keepAlive{Conn: c, r: bufio.NewReader(c)}, nil
}

// get requests path on the connection and returns the body's length.
func (c *keepAlive) get(path string, timeout time.Duration) (int64, error) {
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+guestIP.String()+"\r\n\r\n"); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = errors.New(resp.Status)
	}
	return n, err
}

// floodPort is the port the SYN flood aims at: the one the page is
// fetched from. Each port's listen backlog holds 4095 half-open
// connections before the stack answers with SYN cookies, so that one
// port's fills within the warm-up.
const floodPort = 80

// synFlood sends SYNs from spoofed sources and ports to floodPort, rate a
// second, until ctx ends.
func synFlood(ctx context.Context, sock *os.File, rate int, sent *atomic.Uint64) error {
	const tick = 10 * time.Millisecond
	per := rate * int(tick) / int(time.Second)
	r := rand.New(rand.NewPCG(1, 2))
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for id := uint16(0); ; {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		for range per {
			src, mac := spoofed(r.IntN(240))
			from := netip.AddrPortFrom(src, uint16(1024+r.IntN(64000)))
			to := netip.AddrPortFrom(guestIP, floodPort)
			seg := tcpSegment(from, to, r.Uint32(), 0, tcpSYN, nil)
			if err := sendFrames(ctx, sock, ethFrame(guestMAC, mac, etherIPv4, ipv4Packet(src, guestIP, protoTCP, id, seg))); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			id++
			sent.Add(1)
		}
	}
}

// answerARP answers the guest's ARP requests for the spoofed sources with
// their MACs until ctx ends, so that the guest sends its SYN-ACKs: each
// SYN of the flood costs it a transmitted frame too, the path issue 11
// stalled. The frames go to MACs no one has and die at the tap.
func answerARP(ctx context.Context, sock *os.File, replies *atomic.Uint64) error {
	sock.SetReadDeadline(time.Time{}) // the last phase's stop set one
	stop := context.AfterFunc(ctx, func() { sock.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 2048)
	for {
		n, err := sock.Read(buf)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		f := buf[:n]
		if n < 42 || binary.BigEndian.Uint16(f[12:]) != etherARP || binary.BigEndian.Uint16(f[20:]) != 1 {
			continue
		}
		sha, spa, tpa := [6]byte(f[22:28]), netip.AddrFrom4([4]byte(f[28:32])), netip.AddrFrom4([4]byte(f[38:42]))
		if !isSpoofed(tpa) {
			continue
		}
		_, mac := spoofed(int(tpa.As4()[3]) - 10)
		if err := sendFrames(ctx, sock, ethFrame(sha, mac, etherARP, arpPacket(2, mac, tpa, sha, spa))); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		replies.Add(1)
	}
}

// churn opens connections to the guest's ports and closes them at once,
// in turn with a FIN, with a RST, and after sending a request whose
// response it does not wait for.
func churn(ctx context.Context, g *hostileGuest, l *soakLoad, n int) {
	for i := n; ctx.Err() == nil; i++ {
		addr := netip.AddrPortFrom(guestIP, hostilePorts[i%len(hostilePorts)]).String()
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		c, err := g.ns.DialContext(dctx, "tcp", addr)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				l.fail(&l.churnFailed, fmt.Errorf("churn: %w", err))
			}
			continue
		}
		l.churnOpened.Add(1)
		switch i % 3 {
		case 1:
			c.(*net.TCPConn).SetLinger(0)
		case 2:
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: "+guestIP.String()+"\r\n\r\n")
		}
		c.Close()
	}
}

// httpLoad fetches the page and 64 KiB downloads over a keep-alive
// connection until ctx ends, opening another when one fails.
func httpLoad(ctx context.Context, g *hostileGuest, l *soakLoad) {
	var c *keepAlive
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	paths := []string{"/", "/download?bytes=65536"}
	for i := 0; ctx.Err() == nil; i++ {
		if c == nil {
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			var err error
			c, err = dialKeepAlive(dctx, g, hostilePorts[0])
			cancel()
			if err != nil {
				if ctx.Err() == nil {
					l.fail(&l.failed, fmt.Errorf("HTTP load: %w", err))
				}
				continue
			}
		}
		// Stopping ends a request under way.
		cur := c
		stop := context.AfterFunc(ctx, func() { cur.SetDeadline(time.Now()) })
		n, err := c.get(paths[i%2], 30*time.Second)
		stop()
		switch {
		case ctx.Err() != nil:
		case err != nil:
			l.fail(&l.failed, fmt.Errorf("GET %s: %w", paths[i%2], err))
			c.Close()
			c = nil
		default:
			l.ok(n)
		}
	}
}
