// Package ether is the contract between Warren's NIC drivers and the link
// layer (warren.dev/net/link): an Ethernet frame with its checksum and
// segmentation offload metadata, and the offloads a device performs. The
// drivers and the link layer both use these types, so a frame crosses
// from one to the other as it is, and drivers need nothing of the network
// stack. The metadata follows struct virtio_net_hdr and Linux's
// CHECKSUM_PARTIAL convention; a driver for other hardware (the e1000)
// translates it into its descriptors.
package ether

// HeaderLen is the length of an untagged Ethernet header.
const HeaderLen = 14

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

// GSOType says how a device must segment a large frame, or how a received
// one was coalesced.
type GSOType uint8

const (
	GSONone  GSOType = iota // an ordinary frame of at most MTU bytes of IP
	GSOTCPv4                // a TCP/IPv4 segment to cut into GSOSize payloads
	GSOTCPv6                // a TCP/IPv6 segment to cut into GSOSize payloads
)

// Frame is one Ethernet frame, header first and no frame check sequence,
// with its offload metadata.
//
// On transmit the Data slices are only borrowed: the driver copies them (or
// finishes the DMA) before Transmit returns. On receive the frame is valid
// only during the receiver call, one slice per driver buffer it lies in.
type Frame struct {
	// Data is the frame as a scatter-gather list.
	Data [][]byte

	// NeedsCsum (transmit) asks the device to compute the ones'-complement
	// checksum of the bytes from CsumStart to the end of the frame and
	// store it at CsumStart+CsumOffset. That field already holds the
	// pseudo-header sum (for GSO frames over the full length). On receive
	// (virtio) it says the device left the checksum uncomputed but the
	// data is intact; CsumValid is then set too.
	NeedsCsum             bool
	CsumStart, CsumOffset uint16

	// NeedsIPCsum (transmit, e1000 only) asks for the IPv4 header checksum
	// too; GSO frames always get it.
	NeedsIPCsum bool

	// CsumValid (receive) says the device verified the transport checksum
	// (and the IPv4 header's), so the stack skips it.
	CsumValid bool

	// More (receive) says the driver hands over another frame at once:
	// the link layer may hold this one to merge it with the next ones of
	// its TCP flow (GRO), and delivers what it holds after a frame
	// without More. A driver that never sets it loses nothing but the
	// merging.
	More bool

	// GSOType, when not GSONone, marks a TCP frame larger than the MTU.
	// On transmit the device cuts its payload into GSOSize-byte segments,
	// each with a copy of the first HdrLen bytes (Ethernet, IP and TCP
	// headers) fixed up; NeedsCsum must be set with it. On receive
	// (FeatureRXGSO) the device coalesced segments of GSOSize bytes into
	// it. ECN (virtio only) marks such a frame's segments as carrying ECN.
	GSOType GSOType
	GSOSize uint16
	HdrLen  uint16
	ECN     bool
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
