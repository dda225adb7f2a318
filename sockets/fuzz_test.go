package sockets

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// fuzzer drives every table entry with arguments drawn from fuzz input:
// descriptors, small numbers, constants, good and bad pointers, and
// pointers to well-formed structures. Calls must return an errno or a
// result, never panic or hang, and closing every descriptor must leave
// no socket behind.
type fuzzer struct {
	e       *env
	scratch uint64 // fuzzScratch bytes handlers may read and write
	structs []uint64
}

const fuzzScratch = 8192

func newFuzzer(t testing.TB) *fuzzer {
	// Thousands of connections: a short TIME-WAIT keeps ports free.
	cfg := stackConfig(addrA, addrA6)
	cfg.TCPTimeWait = 10 * time.Millisecond
	e := newEnvConfig(t, cfg)
	f := &fuzzer{e: e, scratch: e.buf(fuzzScratch)}
	sa4, _ := e.sockaddr(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 7), unix.AF_INET)
	sa6, _ := e.sockaddr(netip.AddrPortFrom(netip.IPv6Loopback(), 7), unix.AF_INET6)
	peer4, _ := e.sockaddr(netip.AddrPortFrom(addrB, 7), unix.AF_INET)
	msg, _ := e.msghdr(16, 32)
	nlreq := newNlMsg(unix.RTM_GETADDR, unix.NLM_F_DUMP|unix.NLM_F_REQUEST, 1, 0).put(0, 0, 0, 0).done()
	f.structs = []uint64{sa4, sa6, peer4, msg, e.int32p(maxAddrLen), e.int32p(4), e.mem(nlreq), e.mem(encodeNetlink(0, 0))}
	return f
}

// source reads fuzz input, then zeros.
type source struct{ b []byte }

func (s *source) byte() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}

func (s *source) u64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(s.byte())
	}
	return v
}

var fuzzConsts = []uint64{
	unix.AF_INET, unix.AF_INET6, unix.AF_NETLINK, unix.AF_UNSPEC,
	unix.SOCK_STREAM, unix.SOCK_DGRAM, unix.SOCK_RAW, unix.SOCK_STREAM | nbcx, unix.SOCK_DGRAM | nbcx,
	unix.SOL_SOCKET, unix.IPPROTO_TCP, unix.IPPROTO_IP, unix.IPPROTO_IPV6, unix.SOL_NETLINK,
	unix.SO_REUSEADDR, unix.SO_ERROR, unix.SO_LINGER, unix.SO_RCVTIMEO, unix.SO_BINDTODEVICE, unix.SO_RCVBUF,
	unix.TCP_NODELAY, unix.TCP_KEEPIDLE, unix.TCP_CONGESTION, unix.IP_ADD_MEMBERSHIP, unix.IPV6_V6ONLY,
	unix.MSG_PEEK, unix.MSG_TRUNC, unix.MSG_WAITALL, unix.MSG_PEEK | unix.MSG_TRUNC, unix.MSG_OOB, unix.MSG_ERRQUEUE,
	unix.SIOCINQ, unix.SIOCGIFCONF, unix.SIOCGIFINDEX, unix.SIOCGIFADDR, unix.NETLINK_ROUTE,
	unix.SHUT_RD, unix.SHUT_WR, unix.SHUT_RDWR, maxIO + 1, 1 << 31, 1<<32 - 1,
}

func (f *fuzzer) arg(s *source, fds []int) uint64 {
	switch s.byte() % 8 {
	case 0:
		if len(fds) > 0 {
			return uint64(fds[int(s.byte())%len(fds)])
		}
		return uint64(s.byte())
	case 1:
		return uint64(int64(int8(s.byte())))
	case 2:
		return f.scratch + uint64(binary.LittleEndian.Uint16([]byte{s.byte(), s.byte()}))%fuzzScratch
	case 3:
		return []uint64{0, 8, FakeBase + 1<<20, ^uint64(0) - 8, f.scratch + fuzzScratch - 2}[s.byte()%5]
	case 4:
		return uint64(s.byte()) * uint64(s.byte()%4+1)
	case 5:
		return fuzzConsts[int(s.byte())%len(fuzzConsts)]
	case 6:
		return s.u64()
	}
	return f.structs[int(s.byte())%len(f.structs)]
}

// run makes the calls data describes, then closes every descriptor.
func (f *fuzzer) run(t *testing.T, data []byte) {
	e, s := f.e, &source{data}
	e.t = t
	defer e.k.FreeTo(e.k.Mark())
	// Scratch memory starts as the input's first byte seeds it.
	var fill [fuzzScratch]byte
	r := rand.New(rand.NewPCG(uint64(s.byte()), 0))
	for i := range fill {
		fill[i] = byte(r.Uint32())
	}
	e.k.Put(f.scratch, fill[:])
	f.sockets(s.byte())
	for steps := 0; steps < 64 && len(s.b) > 0; steps++ {
		fds := e.k.FDs()
		op := int(s.byte())
		if op%16 == 15 && len(fds) > 0 {
			e.close(uint64(fds[int(s.byte())%len(fds)]))
			continue
		}
		ent := table[op%len(table)]
		var args [6]uint64
		for i := range args {
			args[i] = f.arg(s, fds)
		}
		// Mostly a descriptor first, as the kernel forwards.
		if c := s.byte(); c%8 != 0 && len(fds) > 0 && ent.Nr != unix.SYS_SOCKET {
			args[0] = uint64(fds[int(c/8)%len(fds)])
		}
		r := e.k.Request(ent.Nr, args[:]...)
		r.Flags |= unix.O_NONBLOCK // a blocking call would wait for ever
		f.call(t, ent, &r)
	}
	for _, fd := range e.k.FDs() {
		e.close(uint64(fd))
	}
	if n := e.l.Sockets(); n != 0 {
		t.Fatalf("%d sockets left after closing every descriptor", n)
	}
}

// sockets makes the kinds of socket the bits of mask select.
func (f *fuzzer) sockets(mask byte) {
	e := f.e
	kinds := [][3]uint64{
		{unix.AF_INET, unix.SOCK_STREAM | nbcx, 0},
		{unix.AF_INET6, unix.SOCK_STREAM | nbcx, 0},
		{unix.AF_INET, unix.SOCK_DGRAM | nbcx, 0},
		{unix.AF_INET6, unix.SOCK_DGRAM | nbcx, 0},
		{unix.AF_NETLINK, unix.SOCK_RAW | nbcx, unix.NETLINK_ROUTE},
		{unix.AF_INET, unix.SOCK_DGRAM | nbcx, unix.IPPROTO_ICMP},
	}
	for i, k := range kinds {
		if mask&(1<<i) != 0 || mask == 0 {
			e.must(unix.SYS_SOCKET, k[0], k[1], k[2])
		}
	}
	if mask&0xc0 != 0 {
		e.pair()
	}
}

func (f *fuzzer) call(t *testing.T, ent Entry, r *sockabi.Request) {
	type result struct {
		v uint64
		e unix.Errno
	}
	done := make(chan result, 1)
	go func() {
		v, e := f.e.l.Handle(r)
		f.e.k.Done(r.ID)
		done <- result{v, e}
	}()
	start := time.Now()
	select {
	case res := <-done:
		if d := time.Since(start); d > time.Second {
			t.Logf("%s%v took %v", ent.Name, r.Args, d)
		}
		if res.e != 0 && res.v != 0 {
			t.Fatalf("%s%v: result %d with errno %v", ent.Name, r.Args, res.v, res.e)
		}
		if res.e > 4095 || res.e < 0 {
			t.Fatalf("%s%v: errno %d", ent.Name, r.Args, int(res.e))
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s%v: no answer", ent.Name, r.Args)
	}
}

func FuzzSyscalls(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{byte(7), 5, 0, 5, 4, 5, 0})
	r := rand.New(rand.NewPCG(1, 2))
	for range 16 {
		b := make([]byte, 512)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		f.Add(b)
	}
	fz := newFuzzer(f)
	f.Fuzz(fz.run)
}

// TestRandomSyscalls runs many random sequences as part of go test.
func TestRandomSyscalls(t *testing.T) {
	fz := newFuzzer(t)
	r := rand.New(rand.NewPCG(3, 4))
	n := 300
	if testing.Short() {
		n = 30
	}
	for range n {
		b := make([]byte, 256+r.IntN(1024))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		fz.run(t, b)
	}
}
