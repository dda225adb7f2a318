package qemu_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/qemu"
	"warren.dev/system/statpage"
)

// Helpers of the hostile network tests (soak_test.go, frames_test.go):
// a guest running examples/httpd on the tap device of the test's own
// namespace, Ethernet frames made by hand, and the guest's figures read
// as numbers: its counters (warren.stats), memory and TCP states
// (httpd's /stats). Every frame goes out of the namespace's tap device to
// the guest alone, and every address in it is the namespace's subnet.

var (
	guestIP  = netip.MustParseAddr("10.0.3.2")
	guestMAC = func() (m [6]byte) {
		hw, err := net.ParseMAC(qemu.TapGuestMAC)
		if err != nil {
			panic(err)
		}
		return [6]byte(hw)
	}()
)

// hostilePorts are the ports the guest serves HTTP on: connection churn
// and idle connections spread over them, and each must accept at the end.
var hostilePorts = []uint16{80, 8080, 8081}

// hostileGuest is examples/httpd booted on the namespace's tap device,
// with warren.stats and QEMU's human monitor on a unix socket for
// evidence.
type hostileGuest struct {
	*guest
	ns      *qemu.Netns
	model   string
	monitor string // the monitor's socket
}

// startHostileGuest boots examples/httpd serving hostilePorts on the tap
// device of ns, with the machine's counters on statsPort, and waits until
// it serves. The machine is stopped after life (0: runGuest's default).
func startHostileGuest(t *testing.T, ns *qemu.Netns, model string, life time.Duration) *hostileGuest {
	t.Helper()
	dir := t.TempDir()
	wrapper, err := ns.QEMUWrapper(dir)
	if err != nil {
		t.Fatal(err)
	}
	mon := filepath.Join(dir, "monitor")
	var ports []string
	for _, p := range hostilePorts {
		ports = append(ports, strconv.Itoa(int(p)))
	}
	g := bootGuest(t, "examples/httpd", qemu.Machine{
		QEMU:      wrapper,
		Append:    fmt.Sprintf("ip=%s,%s gw=10.0.3.1 warren.stats=%d -- -port %s", qemu.TapGuestV4, qemu.TapGuestV6, statsPort, strings.Join(ports, ",")),
		ExtraArgs: append(qemu.TapArgs(model), "-monitor", "unix:"+mon+",server=on,wait=off"),
		Timeout:   life,
	})
	g.waitFor("httpd: serving on ports", 2*time.Minute)
	return &hostileGuest{guest: g, ns: ns, model: model, monitor: mon}
}

// client is an HTTP client inside the namespace. Without keepAlive every
// request opens a connection of its own.
func (g *hostileGuest) client(timeout time.Duration, keepAlive bool) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		DialContext:       g.ns.DialContext,
		DisableKeepAlives: !keepAlive,
	}}
}

// get fetches path from port 80 with c and returns the body of a 200.
func get(c *http.Client, path string) (string, error) {
	resp, err := c.Get("http://" + guestIP.String() + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return string(body), nil
}

// fetchPage fetches the page on a new connection, as a visitor would.
func (g *hostileGuest) fetchPage(timeout time.Duration) error {
	c := g.client(timeout, false)
	body, err := get(c, "/")
	if err == nil && !strings.Contains(body, "Hello from Warren") {
		err = fmt.Errorf("GET /: not the page: %.200q", body)
	}
	return err
}

// stats fetches and parses httpd's /stats; with gc, after a collection.
func (g *hostileGuest) stats(c *http.Client, gc bool) (guestStats, string, error) {
	path := "/stats"
	if gc {
		path += "?gc=1"
	}
	page, err := get(c, path)
	if err != nil {
		return nil, "", err
	}
	return parseStats(page), page, nil
}

// counters reads the machine's counters (warren.stats): netstack's
// tcpip.Stats as netstack.*, each NIC's link and driver counters as
// nic.NAME.link.* and nic.NAME.driver.*.
func (g *hostileGuest) counters() (map[string]uint64, error) {
	resp, err := g.client(30*time.Second, false).Get(fmt.Sprintf("http://%v:%d/", guestIP, statsPort))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return statpage.Parse(string(page))
}

// delta is after less before, counter by counter, for those that moved.
func delta(after, before map[string]uint64) map[string]uint64 {
	d := map[string]uint64{}
	for k, v := range after {
		if v > before[k] {
			d[k] = v - before[k]
		}
	}
	return d
}

// evidence logs, when the guest stopped answering in time, the driver's
// counters if it still answers on the counters' port (TXStallKicks,
// TXWaitKicks: the transmit watchdog of issue 11 at work), and for
// virtio-net what QEMU's monitor shows of the device and its queues: a
// queue whose shadow_avail_idx is ahead of last_avail_idx with nothing
// in use holds buffers the device has stopped taking.
func (g *hostileGuest) evidence(t *testing.T) {
	t.Helper()
	if c, err := g.counters(); err != nil {
		t.Logf("counters: %v", err)
	} else {
		var driver []string
		for k, v := range c {
			if strings.Contains(k, ".driver.") {
				driver = append(driver, fmt.Sprintf("%s=%d", k, v))
			}
		}
		slices.Sort(driver)
		t.Logf("counters: %s", strings.Join(driver, " "))
	}
	if g.model != "virtio-net-pci" {
		t.Logf("QEMU's monitor does not show an %s's rings", g.model)
		return
	}
	list, err := hmp(g.monitor, "info virtio")
	if err != nil {
		t.Logf("monitor: %v", err)
		return
	}
	t.Logf("monitor: info virtio:\n%s", list)
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, "virtio-net") {
			continue
		}
		path := strings.Fields(line)[0]
		out, err := hmp(g.monitor, "info virtio-status "+path,
			"info virtio-queue-status "+path+" 0", "info virtio-queue-status "+path+" 1")
		t.Logf("monitor: %s (receive queue 0, transmit queue 1): %v\n%s", path, err, out)
	}
}

// hmp runs commands on QEMU's human monitor at the unix socket path and
// returns what they printed.
func hmp(path string, cmds ...string) (string, error) {
	c, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	prompt := func() (string, error) {
		var b strings.Builder
		for !strings.HasSuffix(b.String(), "(qemu) ") {
			c, err := r.ReadByte()
			if err != nil {
				return b.String(), err
			}
			b.WriteByte(c)
		}
		return strings.TrimSuffix(b.String(), "(qemu) "), nil
	}
	if _, err := prompt(); err != nil { // the banner
		return "", err
	}
	var out strings.Builder
	for _, cmd := range cmds {
		if _, err := io.WriteString(c, cmd+"\n"); err != nil {
			return out.String(), err
		}
		s, err := prompt()
		// The first line is the monitor echoing the command, redrawn
		// character by character.
		if _, rest, ok := strings.Cut(s, "\n"); ok {
			s = rest
		}
		out.WriteString(strings.ReplaceAll(s, "\r", ""))
		if err != nil {
			return out.String(), err
		}
	}
	return out.String(), nil
}

// guestStats are the figures of httpd's /stats page: the stack's
// counters from its "group: Name=N ..." lines as "tcp.Name" and so on,
// the TCP endpoints by state from its "tcp states:" line as
// "tcp.ESTABLISHED", "tcp.SYN-RCVD", ..., the goroutines, and memory in
// bytes: "ram.used" (the machine's, sysinfo's total less free),
// "go.heapalloc" (live after a collection) and "go.heapinuse".
type guestStats map[string]uint64

var (
	fieldsRe = regexp.MustCompile(`(\w[\w.-]*)=(\d+)`)
	ramRe    = regexp.MustCompile(`^ram \(sysinfo\): total [0-9.]+ MiB, free [0-9.]+ MiB, used ([0-9.]+) MiB`)
	heapRe   = regexp.MustCompile(`heap alloc ([0-9.]+) MiB, heap in use ([0-9.]+) MiB`)
)

func parseStats(page string) guestStats {
	s := guestStats{}
	mib := func(v string) uint64 { f, _ := strconv.ParseFloat(v, 64); return uint64(f * (1 << 20)) }
	for _, line := range strings.Split(page, "\n") {
		switch {
		case ramRe.MatchString(line):
			s["ram.used"] = mib(ramRe.FindStringSubmatch(line)[1])
		case heapRe.MatchString(line):
			m := heapRe.FindStringSubmatch(line)
			s["go.heapalloc"], s["go.heapinuse"] = mib(m[1]), mib(m[2])
		case strings.HasPrefix(line, "goroutines: "):
			s["goroutines"], _ = strconv.ParseUint(strings.TrimPrefix(line, "goroutines: "), 10, 64)
		default:
			head, rest, ok := strings.Cut(line, ":")
			if !ok || head == "" || head[0] == ' ' {
				continue
			}
			group := strings.Fields(head)[0]
			for _, m := range fieldsRe.FindAllStringSubmatch(rest, -1) {
				s[group+"."+m[1]], _ = strconv.ParseUint(m[2], 10, 64)
			}
		}
	}
	return s
}

// Frames. The checksums are the Internet checksum over the bytes given.

// checksum folds b into the one's complement sum sum and returns the
// complement.
func checksum(sum uint32, b []byte) uint16 { return ^ether.Fold(ether.Sum(b, uint64(sum))) }

// pseudoSum is the sum of a transport checksum's pseudo-header.
func pseudoSum(src, dst netip.Addr, proto byte, length int) uint32 {
	var sum uint32
	for _, a := range [][]byte{src.AsSlice(), dst.AsSlice()} {
		for i := 0; i < len(a); i += 2 {
			sum += uint32(a[i])<<8 | uint32(a[i+1])
		}
	}
	return sum + uint32(proto) + uint32(length)
}

func ethFrame(dst, src [6]byte, typ uint16, payload []byte) []byte {
	f := make([]byte, 14, 14+len(payload))
	copy(f, dst[:])
	copy(f[6:], src[:])
	binary.BigEndian.PutUint16(f[12:], typ)
	return append(f, payload...)
}

const (
	etherIPv4 = 0x0800
	etherARP  = 0x0806
	protoTCP  = 6
)

// ipv4Packet is a well-formed IPv4 packet: no options, TTL 64.
func ipv4Packet(src, dst netip.Addr, proto byte, id uint16, payload []byte) []byte {
	h := make([]byte, 20, 20+len(payload))
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(h[4:], id)
	h[8], h[9] = 64, proto
	copy(h[12:], src.AsSlice())
	copy(h[16:], dst.AsSlice())
	binary.BigEndian.PutUint16(h[10:], checksum(0, h))
	return append(h, payload...)
}

// TCP flags.
const (
	tcpFIN = 1 << iota
	tcpSYN
	tcpRST
	tcpPSH
	tcpACK
	tcpURG
)

// tcpSegment is a TCP segment from src to dst with a correct checksum, a
// 64 KiB window and, on a SYN, the MSS option.
func tcpSegment(src, dst netip.AddrPort, seq, ack uint32, flags byte, payload []byte) []byte {
	hl := 20
	if flags&tcpSYN != 0 {
		hl = 24
	}
	s := make([]byte, hl, hl+len(payload))
	binary.BigEndian.PutUint16(s[0:], src.Port())
	binary.BigEndian.PutUint16(s[2:], dst.Port())
	binary.BigEndian.PutUint32(s[4:], seq)
	binary.BigEndian.PutUint32(s[8:], ack)
	s[12], s[13] = byte(hl/4)<<4, flags
	binary.BigEndian.PutUint16(s[14:], 65535)
	if hl == 24 {
		copy(s[20:], []byte{2, 4, 0x05, 0xb4}) // MSS 1460
	}
	s = append(s, payload...)
	binary.BigEndian.PutUint16(s[16:], checksum(pseudoSum(src.Addr(), dst.Addr(), protoTCP, len(s)), s))
	return s
}

// arpPacket is an Ethernet/IPv4 ARP packet.
func arpPacket(op uint16, sha [6]byte, spa netip.Addr, tha [6]byte, tpa netip.Addr) []byte {
	p := []byte{0, 1, 8, 0, 6, 4, 0, 0}
	binary.BigEndian.PutUint16(p[6:], op)
	p = append(p, sha[:]...)
	p = append(p, spa.AsSlice()...)
	p = append(p, tha[:]...)
	return append(p, tpa.AsSlice()...)
}

// spoofed are the IPv4 sources of frames the tests forge: the
// namespace's subnet, apart from the host (.1), the guest (.2) and the
// broadcast address. Each has a locally administered MAC of its own.
func spoofed(i int) (netip.Addr, [6]byte) {
	b := byte(10 + i%240)
	return netip.AddrFrom4([4]byte{10, 0, 3, b}), [6]byte{0x02, 0, 10, 0, 3, b}
}

// isSpoofed says whether a is one of spoofed's addresses.
func isSpoofed(a netip.Addr) bool {
	b := a.As4()
	return a.Is4() && b[0] == 10 && b[1] == 0 && b[2] == 3 && b[3] >= 10 && b[3] < 250
}

// sendFrames writes frames to the tap device's packet socket.
func sendFrames(ctx context.Context, sock io.Writer, frames ...[]byte) error {
	for _, f := range frames {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := sock.Write(f); err != nil {
			return fmt.Errorf("writing a %d-byte frame: %w", len(f), err)
		}
	}
	return nil
}
