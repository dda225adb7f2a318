package virtio

import (
	"errors"
	"fmt"
)

// ErrVectorRefused is returned when the device reads back NO_VECTOR for an
// MSI-X vector the driver mapped (§4.1.5.1.2: mapping can fail for lack
// of device resources); the driver may retry with fewer vectors.
var ErrVectorRefused = errors.New("virtio: device refused the MSI-X vector mapping")

// NumQueues is the number of virtqueues the device supports.
func (t *Transport) NumQueues() int { return int(t.common.read16(ccNumQueues)) }

// QueueMaxSize selects queue i and returns its maximum size, 0 if the
// queue is unavailable (§4.1.5.1.3).
func (t *Transport) QueueMaxSize(i int) int {
	if i < 0 || i >= t.NumQueues() {
		return 0
	}
	t.common.write16(ccQueueSelect, uint16(i))
	return int(t.common.read16(ccQueueSize))
}

// SetConfigVector maps configuration change notifications to MSI-X table
// entry v (NoVector unmaps them) and checks the device accepted it.
func (t *Transport) SetConfigVector(v uint16) error {
	t.common.write16(ccConfigMSIXVector, v)
	if got := t.common.read16(ccConfigMSIXVector); got != v {
		return fmt.Errorf("%w: config vector %d read back %#x", ErrVectorRefused, v, got)
	}
	return nil
}

// Ring is what a driver tells the device about one split virtqueue.
type Ring interface {
	Size() int
	// Addresses returns the physical addresses of the descriptor table,
	// the driver area (available ring) and the device area (used ring).
	Addresses() (desc, driver, device uint64)
}

// EnableQueue configures queue i with ring r and MSI-X vector v (NoVector
// when MSI-X is not used) and enables it (§4.1.5.1.3). It returns the
// doorbell for available buffer notifications on the queue. The queue
// must not be enabled yet: every queue is disabled after reset, and the
// driver MUST NOT write 0 to queue_enable.
func (t *Transport) EnableQueue(i int, r Ring, v uint16) (Doorbell, error) {
	max := t.QueueMaxSize(i) // selects i
	size := r.Size()
	switch {
	case max == 0:
		return Doorbell{}, fmt.Errorf("virtio: queue %d is unavailable", i)
	case size > max || size&(size-1) != 0:
		// Split rings MUST have a power-of-2 size (§4.1.4.3.2).
		return Doorbell{}, fmt.Errorf("virtio: queue %d: size %d (device maximum %d)", i, size, max)
	case t.common.read16(ccQueueEnable) != 0:
		return Doorbell{}, fmt.Errorf("virtio: queue %d is already enabled", i)
	}
	t.common.write16(ccQueueSize, uint16(size))
	desc, driver, device := r.Addresses()
	t.common.write64(ccQueueDesc, desc)
	t.common.write64(ccQueueDriver, driver)
	t.common.write64(ccQueueDevice, device)
	t.common.write16(ccQueueMSIXVector, v)
	if got := t.common.read16(ccQueueMSIXVector); got != v {
		return Doorbell{}, fmt.Errorf("%w: queue %d vector %d read back %#x", ErrVectorRefused, i, v, got)
	}
	// Queue Notify address: cap.offset + queue_notify_off *
	// notify_off_multiplier (§4.1.4.4); the notification is a 16-bit
	// write of the queue index (§4.1.5.2, without NOTIFICATION_DATA).
	off := uint64(t.common.read16(ccQueueNotifyOff)) * t.notifyMult
	if off+2 > t.notify.len {
		return Doorbell{}, fmt.Errorf("virtio: queue %d: notify offset %#x outside the %#x-byte notify structure", i, off, t.notify.len)
	}
	// The other fields are configured before queue_enable (§4.1.4.3.2).
	t.common.write16(ccQueueEnable, 1)
	return Doorbell{w: t.notify, off: off, index: uint16(i)}, nil
}

// Doorbell sends available buffer notifications for one queue.
type Doorbell struct {
	w     window
	off   uint64
	index uint16
}

// Ring notifies the device that queue has new available buffers. The
// caller has published the available index with an atomic store, which
// the compiler keeps before this call; on x86-64 the ring stores to
// ordinary memory are also seen by the device before this uncached MMIO
// store.
func (d Doorbell) Ring() {
	if d.w.r != nil {
		d.w.write16(d.off, d.index)
	}
}
