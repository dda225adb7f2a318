package e1000

// Features are the offloads a Device performs in hardware. The values
// match warren.dev/net/link's Features.
type Features uint32

const (
	// FeatureTXCsum: the device completes the checksum of frames with
	// NeedsCsum set, through a TCP/IP context descriptor (§3.3.6).
	FeatureTXCsum Features = 1 << iota
	// FeatureRXCsum: the device checks IPv4 header and TCP/UDP checksums
	// of received frames (RXCSUM) and Frame.CsumValid reports
	// the verdict. QEMU's model never checks (it sets IXSM), so there the
	// stack verifies every frame itself.
	FeatureRXCsum
	// FeatureTSO4: the device segments large TCP/IPv4 frames (§3.5).
	FeatureTSO4
	// FeatureTSO6: large TCP/IPv6 frames. The 8254x does not offer it.
	FeatureTSO6
)

// Has reports whether all of want are in f.
func (f Features) Has(want Features) bool { return f&want == want }

// GSOType says how the device must segment a large frame; the values
// match warren.dev/net/link's.
type GSOType uint8

const (
	GSONone  GSOType = iota // an ordinary frame
	GSOTCPv4                // TCP/IPv4, cut into GSOSize-byte payloads
	GSOTCPv6                // TCP/IPv6 (not supported by the 8254x)
)

// Frame is one Ethernet frame, destination address first and no frame
// check sequence, with its offload metadata. The fields are those of
// warren.dev/net/link.Frame, which are virtio-net's header fields.
type Frame struct {
	// Data is the frame as a scatter-gather list. Transmit copies it into
	// DMA memory before returning. A received frame is one slice into the
	// driver's DMA buffer, valid only during the receiver call.
	Data [][]byte

	// NeedsCsum (transmit) asks for the ones'-complement checksum of the
	// bytes from CsumStart to the end of the frame to be stored at
	// CsumStart+CsumOffset. The field must already hold the pseudo-header
	// sum, as Linux and virtio have it; SeedChecksum fills it in for
	// frames whose stack leaves it zero.
	NeedsCsum             bool
	CsumStart, CsumOffset uint16

	// NeedsIPCsum (transmit) asks for the IPv4 header checksum too (the
	// context descriptor's IPCSS/IPCSO/IPCSE); the driver finds the IPv4
	// header behind the Ethernet (and any 802.1Q) header and zeroes the
	// field in its copy. GSO frames always get it.
	NeedsIPCsum bool

	// CsumValid (receive) says the device verified the transport checksum
	// (and the IPv4 header checksum, for IPv4) and found both right.
	CsumValid bool

	// More (receive) says the next descriptor is complete too: another
	// frame follows at once.
	More bool

	// GSOType (transmit), when not GSONone, marks a TCP frame larger than
	// the MTU whose payload the device cuts into GSOSize-byte segments,
	// each with a copy of the headers (Ethernet, IP and TCP, HdrLen
	// bytes; the driver takes the length from the headers themselves)
	// with lengths, IP ID, sequence number, flags and checksums fixed up.
	// The checksum field seed is recomputed by the driver, so NeedsCsum's
	// convention does not matter here.
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

// Ethernet sizes.
const (
	ethHeaderLen = 14
	minFrameLen  = 60 // without FCS
	vlanTagLen   = 4
	// MTU is the largest IP packet a standard frame carries.
	MTU = 1500
	// MaxFrameLen is the largest frame, without FCS, sent or accepted
	// without segmentation: an 802.1Q-tagged full-MTU frame. The receiver
	// runs with RCTL.LPE clear, so the device drops longer ones (§13.4.22).
	MaxFrameLen = ethHeaderLen + vlanTagLen + MTU
	// MaxGSOLen is the largest GSO frame: a 64 KiB IP packet behind its
	// Ethernet header.
	MaxGSOLen = ethHeaderLen + vlanTagLen + 65535
)
