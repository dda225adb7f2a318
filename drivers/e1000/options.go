package e1000

import (
	"errors"
	"fmt"
	"time"

	"warren.dev/drivers/ether"
)

// Options configure a Device. The zero value is a usable configuration.
type Options struct {
	// DeviceID is the PCI device ID; it selects the few differences
	// between supported controllers. Zero means the 82540EM.
	DeviceID uint16

	// RxDescriptors and TxDescriptors size the rings: multiples of 8
	// (RDLEN and TDLEN are multiples of 128 bytes, §13.4.27), from 8 to
	// 4096. Zero means 256. Each descriptor owns a 2 KiB DMA buffer.
	// TCP segmentation offload needs at least 64 transmit descriptors.
	RxDescriptors int
	TxDescriptors int

	// InterruptRate caps interrupts per second through ITR (§13.4.18).
	// Zero means 8000; negative means no throttling.
	InterruptRate int

	// LinkTimeout is how long Open waits for STATUS.LU before failing
	// with ErrNoLink. Zero means 10 s; negative means Open does not wait
	// (watch LinkUp and LinkChange instead).
	LinkTimeout time.Duration

	// AllMulticast accepts every multicast frame (RCTL.MPE), which IPv6
	// neighbour discovery needs when nobody programs the multicast table
	// with SetMulticast. RCTL is written once, at Open.
	AllMulticast bool

	// Receive, when set, is installed as by SetReceiver before the
	// receiver is enabled.
	Receive func(ether.Frame)

	// LinkChange, when set, is called on the interrupt goroutine whenever
	// the link goes up or down, starting with the link-up Open may be
	// waiting for.
	LinkChange func(up bool)
}

const (
	defaultDescriptors   = 256
	defaultInterruptRate = 8000
	defaultLinkTimeout   = 10 * time.Second
	minTSODescriptors    = 64
)

func (o *Options) fill() error {
	for _, n := range []*int{&o.RxDescriptors, &o.TxDescriptors} {
		if *n == 0 {
			*n = defaultDescriptors
		}
		if *n < 8 || *n > 4096 || *n%8 != 0 {
			return fmt.Errorf("e1000: %d descriptors: want a multiple of 8 from 8 to 4096", *n)
		}
	}
	if o.InterruptRate == 0 {
		o.InterruptRate = defaultInterruptRate
	}
	if o.LinkTimeout == 0 {
		o.LinkTimeout = defaultLinkTimeout
	}
	return nil
}

// Errors.
var (
	// ErrRingFull: Transmit stopped because the transmit ring has no room;
	// frames from the returned count on were not sent. Wait for TxSpace.
	ErrRingFull = errors.New("e1000: transmit ring full")
	// ErrClosed: the device was closed.
	ErrClosed = errors.New("e1000: device closed")
	// ErrNoLink: the link did not come up within Options.LinkTimeout.
	ErrNoLink = errors.New("e1000: no link")
	// ErrFrame: Transmit dropped a malformed frame (bad length or an
	// offload request that does not fit the frame).
	ErrFrame = errors.New("e1000: malformed frame")
	// ErrUnsupported: the device ID or a requested offload is not
	// supported.
	ErrUnsupported = errors.New("e1000: unsupported")
)
