package qemu

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The tap network inside a Netns: the host side of the tap device holds
// the .1 addresses, a guest takes the .2 ones.
const (
	TapDevice   = "wtap0"
	TapHostV4   = "10.0.3.1/24"
	TapHostV6   = "fd00:3::1/64"
	TapGuestV4  = "10.0.3.2/24"
	TapGuestV6  = "fd00:3::2/64"
	TapGuestMAC = "52:54:00:12:34:56"
)

// Netns is a network namespace made by its user (a test or the benchmark),
// holding one tap device a guest's NIC is attached to. Traffic through it
// reaches only the namespace's own addresses, never the host's networks.
// Making one needs root.
type Netns struct {
	Name string
}

// NewNetns creates a namespace named prefix-PID-N with the loopback up and
// the tap device TapDevice holding TapHostV4 and TapHostV6.
func NewNetns(prefix string) (*Netns, error) { return NewNetnsQueues(prefix, 1) }

// NewNetnsQueues is NewNetns with a tap device of queues queues: above
// one a multi_queue device, which QEMU opens only with as many
// (MultiQueueTapArgs), and one only without.
func NewNetnsQueues(prefix string, queues int) (*Netns, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("a network namespace needs root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, errors.New("ip not found: install the Debian package iproute2")
	}
	n := &Netns{Name: fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), time.Now().UnixNano()%100000)}
	if out, err := exec.Command("ip", "netns", "add", n.Name).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ip netns add %s: %v\n%s", n.Name, err, out)
	}
	tuntap := []string{"ip", "tuntap", "add", "dev", TapDevice, "mode", "tap"}
	if queues > 1 {
		tuntap = append(tuntap, "multi_queue")
	}
	for _, c := range [][]string{
		{"ip", "link", "set", "lo", "up"},
		tuntap,
		{"ip", "addr", "add", TapHostV4, "dev", TapDevice},
		{"ip", "-6", "addr", "add", TapHostV6, "dev", TapDevice, "nodad"},
		{"ip", "link", "set", TapDevice, "up"},
	} {
		if out, err := n.Run(c...); err != nil {
			n.Close()
			return nil, fmt.Errorf("%s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	return n, nil
}

// Close deletes the namespace and the tap device in it.
func (n *Netns) Close() error {
	if out, err := exec.Command("ip", "netns", "del", n.Name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns del %s: %v\n%s", n.Name, err, out)
	}
	return nil
}

// Command returns a command that runs inside the namespace.
func (n *Netns) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
}

// Run runs a command inside the namespace and returns its combined output.
func (n *Netns) Run(args ...string) (string, error) {
	out, err := n.Command(context.Background(), args[0], args[1:]...).CombinedOutput()
	return string(out), err
}

// QEMUWrapper writes dir/qemu-in-netns, a script that runs QEMU inside the
// namespace (where the tap device is), for Machine.QEMU.
func (n *Netns) QEMUWrapper(dir string) (string, error) {
	path := filepath.Join(dir, "qemu-in-netns")
	script := fmt.Sprintf("#!/bin/sh\nexec ip netns exec %s %s \"$@\"\n", n.Name, Binary)
	return path, os.WriteFile(path, []byte(script), 0o755)
}

// TapArgs are QEMU's arguments for a NIC of the given model on the tap
// device, with the MAC address TapGuestMAC.
func TapArgs(model string) []string { return MultiQueueTapArgs(model, 1) }

// MultiQueueTapArgs are TapArgs for a tap device of queues queues
// (NewNetnsQueues). Above one, the NIC (virtio-net) offers as many queue
// pairs, with an MSI-X vector for each queue, the configuration and the
// control queue, as Linux would use them.
func MultiQueueTapArgs(model string, queues int) []string {
	netdev, device := "tap,id=n0,ifname="+TapDevice+",script=no,downscript=no", model+",netdev=n0,mac="+TapGuestMAC
	if queues > 1 {
		netdev += fmt.Sprintf(",queues=%d", queues)
		device += fmt.Sprintf(",mq=on,vectors=%d", 2*queues+2)
	}
	return []string{"-netdev", netdev, "-device", device}
}

// DialContext connects from inside the namespace. The socket is made on
// a thread moved into the namespace for the call; once made, it works
// from any thread.
func (n *Netns) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var conn net.Conn
	err := n.do(func() error {
		var d net.Dialer
		var err error
		conn, err = d.DialContext(ctx, network, address)
		return err
	})
	return conn, err
}

// do runs fn on an OS thread that is inside the namespace. fn must not
// start goroutines that make sockets.
func (n *Netns) do(fn func() error) error {
	target, err := os.Open(filepath.Join("/run/netns", n.Name))
	if err != nil {
		return err
	}
	defer target.Close()
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("entering network namespace %s: %w", n.Name, err)
	}
	defer func() {
		// A thread that cannot go back stays locked: the runtime ends it
		// when this goroutine exits.
		if unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
	}()
	return fn()
}

// TapSocket opens an AF_PACKET socket of the given protocol (an ETH_P_
// value; 0 receives nothing) bound to the tap device, through which a
// test writes Ethernet frames of its own making to the guest, such as
// spoofed or malformed ones, and reads what the guest sends. It is
// non-blocking, so the File's deadlines work. The caller closes it.
func (n *Netns) TapSocket(proto uint16) (*os.File, error) {
	var f *os.File
	err := n.do(func() error {
		ifi, err := net.InterfaceByName(TapDevice)
		if err != nil {
			return err
		}
		be := proto<<8 | proto>>8 // network byte order
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, int(be))
		if err != nil {
			return fmt.Errorf("packet socket: %w", err)
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: be, Ifindex: ifi.Index}); err != nil {
			unix.Close(fd)
			return fmt.Errorf("binding a packet socket to %s: %w", TapDevice, err)
		}
		f = os.NewFile(uintptr(fd), "packet:"+TapDevice)
		return nil
	})
	return f, err
}

// ListenPacket opens a packet socket inside the namespace (for servers a
// test runs on the host side of the tap device, such as DNS).
func (n *Netns) ListenPacket(network, address string) (net.PacketConn, error) {
	var pc net.PacketConn
	err := n.do(func() error {
		var err error
		pc, err = net.ListenPacket(network, address)
		return err
	})
	return pc, err
}
