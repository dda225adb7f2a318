package net

import (
	"errors"
	"fmt"
	"time"

	"warren.dev/drivers/hw"
	"warren.dev/drivers/virtio"
)

// Control queue commands (§5.1.6.5): struct virtio_net_ctrl is the
// class, the command and its data, device-readable, then the ack byte,
// device-writable.
const (
	ctrlClassMQ   = 4 // VIRTIO_NET_CTRL_MQ
	ctrlMQPairSet = 0 // VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET: le16 pairs
	ctrlOK        = 0 // VIRTIO_NET_OK
	ctrlAckOff    = 64
	// ctrlTimeout bounds the wait for an answer: a device answers a
	// command as it reads it, in microseconds.
	ctrlTimeout = time.Second
)

// ctrlQueue is the control queue. Commands are rare (one at Open), so it
// has no interrupt: command polls the used ring for the answer.
type ctrlQueue struct {
	q   *virtio.SplitQueue
	dma hw.DMA
	mem []byte // the command at 0, the ack at ctrlAckOff
	pa  uint64
}

func newCtrlQueue(dma hw.DMA, size int, eventIdx bool) (*ctrlQueue, error) {
	q, err := virtio.NewSplitQueue(dma, size, eventIdx)
	if err != nil {
		return nil, err
	}
	mem, pa, err := dma.Alloc(4096, 4096)
	if err != nil {
		q.Free()
		return nil, err
	}
	q.DisableInterrupts()
	return &ctrlQueue{q: q, dma: dma, mem: mem, pa: pa}, nil
}

func (c *ctrlQueue) free() {
	c.q.Free()
	c.dma.Free(c.mem)
}

// command sends class, cmd and data and waits for the device's ack.
func (c *ctrlQueue) command(class, cmd uint8, data []byte) error {
	c.mem[0], c.mem[1] = class, cmd
	n := 2 + copy(c.mem[2:ctrlAckOff], data)
	c.mem[ctrlAckOff] = 0xff // neither OK nor ERR until the device writes it
	if _, err := c.q.Add([]virtio.Buffer{
		{Addr: c.pa, Len: uint32(n)},
		{Addr: c.pa + ctrlAckOff, Len: 1, Writable: true},
	}); err != nil {
		return err
	}
	c.q.Publish()
	for deadline := time.Now().Add(ctrlTimeout); ; time.Sleep(20 * time.Microsecond) {
		_, l, err := c.q.Used()
		switch {
		case errors.Is(err, virtio.ErrEmpty):
			if time.Now().After(deadline) {
				return fmt.Errorf("virtio-net: no answer to control command %d.%d", class, cmd)
			}
			continue
		case err != nil:
			return err
		case l < 1 || c.mem[ctrlAckOff] != ctrlOK:
			return fmt.Errorf("virtio-net: control command %d.%d refused (ack %#x, %d bytes)", class, cmd, c.mem[ctrlAckOff], l)
		}
		return nil
	}
}
