package virtio

import (
	"fmt"
	"math/bits"
)

// Features is a set of feature bits (§2.2). Bits 0 to 23 (and a few
// above 40) belong to the device type; the transport and ring bits are
// below.
type Features uint64

// Device-independent feature bits (§6).
const (
	FIndirectDesc     Features = 1 << 28
	FEventIdx         Features = 1 << 29
	FVersion1         Features = 1 << 32
	FAccessPlatform   Features = 1 << 33
	FRingPacked       Features = 1 << 34
	FInOrder          Features = 1 << 35
	FOrderPlatform    Features = 1 << 36
	FSRIOV            Features = 1 << 37
	FNotificationData Features = 1 << 38
	FNotifConfigData  Features = 1 << 39
	FRingReset        Features = 1 << 40
)

// TransportFeatures are the device-independent bits this package
// implements and a driver should accept when offered: EVENT_IDX (used by SplitQueue), VERSION_1 (required),
// ACCESS_PLATFORM and ORDER_PLATFORM ("SHOULD accept if offered", §6.1:
// Warren hands devices physical addresses from hw.DMA, and the ring
// barriers are sync/atomic operations, which are full fences on x86-64,
// so real-hardware ordering holds). Packed rings, indirect descriptors,
// in-order use, notification data and queue reset are not implemented.
const TransportFeatures = FEventIdx | FVersion1 | FAccessPlatform | FOrderPlatform

// deviceTypeFeatures are the bits §2.2 gives to the device type: 0 to
// 23, 41, 42 and 50 and up; the rest are transport and ring bits.
const deviceTypeFeatures Features = 1<<24 - 1 | 3<<41 | (1<<64-1)&^(1<<50-1)

// Has reports whether all of want are in f.
func (f Features) Has(want Features) bool { return f&want == want }

// String lists the bit numbers, for logs and errors.
func (f Features) String() string {
	s := "["
	for v := uint64(f); v != 0; v &= v - 1 {
		if len(s) > 1 {
			s += " "
		}
		s += fmt.Sprint(bits.TrailingZeros64(v))
	}
	return s + "]"
}
