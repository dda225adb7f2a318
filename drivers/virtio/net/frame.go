package net

// GSOType is a segmentation offload type (virtio_net_hdr gso_type).
type GSOType uint8

// GSO types this driver uses.
const (
	GSONone  GSOType = 0
	GSOTCPv4 GSOType = 1
	GSOTCPv6 GSOType = 4
)

// Offload is a frame's checksum and segmentation metadata, the fields of
// struct virtio_net_hdr.
type Offload struct {
	// NeedsCsum: the checksum over the bytes from CsumStart to the end of
	// the frame has not been computed; it goes at CsumStart+CsumOffset,
	// where the frame holds the pseudo-header sum (§5.1.6.2). On
	// transmit, the device completes it (TXChecksum) or the driver does.
	// On receive (RXChecksum), the data is known to be intact.
	NeedsCsum             bool
	CsumStart, CsumOffset uint16
	// DataValid (receive only): the device verified the checksum.
	DataValid bool
	// GSO, with GSOSize (the MSS) and HdrLen (length of the headers to
	// replicate, a hint): a TCP frame larger than the MTU that the device
	// segments (transmit) or that was coalesced (receive). Transmit
	// requires NeedsCsum with it. ECN marks TCP frames with ECN set.
	GSO     GSOType
	ECN     bool
	HdrLen  uint16
	GSOSize uint16
}

// Frame is an Ethernet frame, without the virtio header.
//
// On transmit, Data is the frame in pieces (headers and payload, say),
// copied in order. On receive, Data is the frame as it lies in the
// driver's receive buffers, one piece per buffer; it is valid only until
// the receive callback returns.
type Frame struct {
	Data [][]byte
	Offload
}

// Len is the frame length.
func (f *Frame) Len() int {
	n := 0
	for _, b := range f.Data {
		n += len(b)
	}
	return n
}

// CopyTo copies the frame into dst and returns the number of bytes
// copied.
func (f *Frame) CopyTo(dst []byte) int {
	n := 0
	for _, b := range f.Data {
		n += copy(dst[n:], b)
	}
	return n
}
