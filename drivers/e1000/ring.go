package e1000

import "warren.dev/drivers/hw"

// bufSize is the DMA buffer behind every descriptor: 2 KiB holds a full
// frame, and RCTL.BSIZE = 00 selects it for receive (§13.4.22).
const bufSize = 2048

// ring is descriptor memory plus one buffer per descriptor, in two DMA
// allocations (descriptor rings must be 16-byte aligned, §3.2.6; these are
// page aligned).
type ring struct {
	n      int
	desc   []byte
	descPA uint64
	bufs   []byte
	bufsPA uint64
}

func (r *ring) alloc(dma hw.DMA, n int) error {
	var err error
	r.desc, r.descPA, err = dma.Alloc(n*16, 4096)
	if err != nil {
		return err
	}
	r.bufs, r.bufsPA, err = dma.Alloc(n*bufSize, 4096)
	if err != nil {
		dma.Free(r.desc)
		r.desc = nil
		return err
	}
	r.n = n
	return nil
}

func (r *ring) free(dma hw.DMA) {
	if r.desc != nil {
		dma.Free(r.desc)
		dma.Free(r.bufs)
		r.desc, r.bufs = nil, nil
	}
}

// buf returns buffer i and its physical address.
func (r *ring) buf(i int) ([]byte, uint64) {
	off := i * bufSize
	return r.bufs[off : off+bufSize : off+bufSize], r.bufsPA + uint64(off)
}

// next is the index after i.
func (r *ring) next(i int) int {
	if i++; i == r.n {
		return 0
	}
	return i
}
