// Package link connects NIC drivers to gVisor's netstack. A driver
// implements the small NIC interface below, which knows nothing of
// netstack; Endpoint adapts any NIC to stack.LinkEndpoint, adding and
// parsing Ethernet headers, mapping checksum and segmentation offloads, and
// counting what crosses the link.
package link

// Features are the offloads a NIC performs in hardware.
type Features uint32

const (
	// FeatureTXCsum: the device completes a partial checksum for frames
	// with NeedsCsum set (virtio VIRTIO_NET_F_CSUM, e1000 TUCSO).
	FeatureTXCsum Features = 1 << iota
	// FeatureRXCsum: the device validates received IPv4/TCP/UDP checksums
	// and says so with Frame.CsumValid.
	FeatureRXCsum
	// FeatureTSO4 and FeatureTSO6: the device segments large TCP frames
	// (GSOType set) into MSS-sized ones (virtio HOST_TSO4/6, e1000 TSE).
	FeatureTSO4
	FeatureTSO6
	// FeatureRXGSO: the device may hand over TCP frames it coalesced
	// (virtio GUEST_TSO4/6), marked with a GSOType and carrying up to
	// 64 KiB of IP; the stack takes them as one segment each.
	FeatureRXGSO
)

// Has reports whether all of want are in f.
func (f Features) Has(want Features) bool { return f&want == want }

// GSOType says how a device must segment a large frame.
type GSOType uint8

const (
	GSONone  GSOType = iota // an ordinary frame of at most MTU bytes of IP
	GSOTCPv4                // a TCP/IPv4 segment to cut into GSOSize payloads
	GSOTCPv6                // a TCP/IPv6 segment to cut into GSOSize payloads
)

// EthernetHeaderLen is the length of an untagged Ethernet header.
const EthernetHeaderLen = 14

// Frame is one Ethernet frame, header first, with its offload metadata.
//
// On transmit the Data slices are only borrowed: the driver copies them (or
// finishes the DMA) before Transmit returns. On receive the frame is valid
// only during the receiver call; the endpoint copies it, so a driver may
// reuse its buffer at once.
type Frame struct {
	// Data is the frame as a scatter-gather list; a receive frame is
	// usually one slice.
	Data [][]byte

	// NeedsCsum (transmit) asks the device to compute the ones'-complement
	// checksum of the bytes from CsumStart to the end of the frame and
	// store it at CsumStart+CsumOffset. That field already holds the
	// pseudo-header sum (the Linux CHECKSUM_PARTIAL convention, which is
	// also virtio's; for GSO frames the sum covers the full length).
	NeedsCsum             bool
	CsumStart, CsumOffset uint16

	// CsumValid (receive) says the device verified the transport checksum,
	// so the stack skips it.
	CsumValid bool

	// More (receive) says the driver hands over another frame at once:
	// the endpoint may hold this one to merge it with the next ones of
	// its TCP flow (GRO), and delivers what it holds after a frame
	// without More. A driver that never sets it loses nothing but the
	// merging.
	More bool

	// GSOType, when not GSONone, marks a TCP frame larger than the MTU.
	// On transmit the device cuts its payload into GSOSize-byte segments,
	// each with a copy of the first HdrLen bytes (Ethernet, IP and TCP
	// headers) fixed up. On receive (FeatureRXGSO) the device coalesced
	// segments of GSOSize bytes into it.
	GSOType GSOType
	GSOSize uint16
	HdrLen  uint16
}

// Len is the length of the frame in bytes.
func (f *Frame) Len() int {
	n := 0
	for _, b := range f.Data {
		n += len(b)
	}
	return n
}

// CopyTo copies the frame into dst and returns how many bytes it copied.
func (f *Frame) CopyTo(dst []byte) int {
	n := 0
	for _, b := range f.Data {
		n += copy(dst[n:], b)
	}
	return n
}

// TXWaiter is implemented by NICs that can block until their transmit
// ring has room again, after Transmit accepted fewer frames than given.
// The stack answers some frames from the receiver (ARP and ICMP replies,
// TCP resets), so WaitTXSpace is also called on the NIC's receive
// goroutine: what ends the wait must need neither that goroutine nor a
// device that resumes sending only when told to.
type TXWaiter interface {
	WaitTXSpace() error
}

// NIC is what a network driver provides to the stack. Its methods may be
// called from any goroutine.
type NIC interface {
	// MAC is the station address.
	MAC() [6]byte
	// MTU is the largest IP packet (Ethernet payload) the NIC carries,
	// 1500 on standard Ethernet.
	MTU() int
	// LinkUp reports the physical link state.
	LinkUp() bool
	// Features lists the offloads the device performs; it does not change
	// after the NIC is handed to the stack.
	Features() Features
	// Transmit queues frames for sending and returns how many, from the
	// front, the device accepted; the rest are dropped (a full ring). It
	// must be done with every Data slice before it returns.
	Transmit(frames []Frame) (int, error)
	// SetReceiver installs the function the driver calls for each received
	// frame, from its receive goroutine, one frame at a time.
	SetReceiver(func(Frame))
	// Close stops the device. After Close returns the receiver is not
	// running and is never called again.
	Close() error
}
