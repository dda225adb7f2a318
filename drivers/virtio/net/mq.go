package net

import (
	"encoding/binary"
	"errors"
	"fmt"

	"warren.dev/drivers/ether"
)

// Multiqueue (§5.1.6.5.5). With VIRTIO_NET_F_MQ the device has up to
// max_virtqueue_pairs receive/transmit pairs but uses only the first
// until the driver sets the number with a control command. The driver
// takes one pair per CPU (Config.Pairs), up to what the device has: each
// receive queue then has its vector, which the kernel routes to its own
// CPU, and its goroutine into the stack, and senders on different CPUs
// take different transmit queues and locks.
//
// Received frames are spread by the device (by flow, on a tap backend);
// transmitted frames by the driver, by a hash of their addresses and
// ports, so that one flow's frames keep one queue and their order.

// errPairsRefused marks a device that did not take the pairs command.
// Open then starts over with one pair, as a device without MQ: it keeps
// using only the first pair anyway (Pairs tells).
var errPairsRefused = errors.New("virtio-net: device refused the queue pairs")

// pairsFor is the number of pairs to set up: Config.Pairs, up to the
// device's maximum.
func (d *Device) pairsFor(c Config) int {
	if !d.features.Has(FMQ) {
		return 1
	}
	return max(1, min(c.Pairs, d.maxPairs))
}

// ctrlIndex is the control queue's index: after the device's last pair
// (§5.1.2).
func (d *Device) ctrlIndex() int { return 2 * d.maxPairs }

// setPairs tells the device how many pairs to use, when more than one.
func (d *Device) setPairs() error {
	if len(d.rx) == 1 {
		return nil
	}
	var n [2]byte
	binary.LittleEndian.PutUint16(n[:], uint16(len(d.rx)))
	if err := d.ctrl.command(ctrlClassMQ, ctrlMQPairSet, n[:]); err != nil {
		return fmt.Errorf("%w: %d: %v", errPairsRefused, len(d.rx), err)
	}
	return nil
}

// txQueueFor is the transmit queue of f's flow.
func (d *Device) txQueueFor(f *ether.Frame) *txQueue {
	if len(d.tx) == 1 {
		return &d.tx[0]
	}
	return &d.tx[flowHash(f)%uint32(len(d.tx))]
}

// flowHeaders is how much of a frame flowHash reads: Ethernet, the
// largest IPv4 header, and the ports.
const flowHeaders = ethHeaderLen + 60 + 4

// flowHash hashes a frame's IP addresses, protocol and, for TCP and UDP
// outside fragments, ports (FNV-1a). Other frames hash to 0.
func flowHash(f *ether.Frame) uint32 {
	var b [flowHeaders]byte
	n := 0
	for _, s := range f.Data {
		n += copy(b[n:], s)
		if n == len(b) {
			break
		}
	}
	h := b[:n]
	if n < ethHeaderLen {
		return 0
	}
	var key []byte
	var proto byte
	l4 := 0
	switch binary.BigEndian.Uint16(h[12:]) {
	case 0x0800: // IPv4
		if n < ethHeaderLen+20 {
			return 0
		}
		ip := h[ethHeaderLen:]
		proto, key = ip[9], ip[12:20]
		if binary.BigEndian.Uint16(ip[6:])&0x3fff == 0 { // not a fragment
			l4 = ethHeaderLen + int(ip[0]&0xf)*4
		}
	case 0x86dd: // IPv6: extension headers are taken as the protocol
		if n < ethHeaderLen+40 {
			return 0
		}
		ip := h[ethHeaderLen:]
		proto, key = ip[6], ip[8:40]
		l4 = ethHeaderLen + 40
	default:
		return 0
	}
	x := uint32(2166136261)
	mix := func(c byte) { x = (x ^ uint32(c)) * 16777619 }
	for _, c := range key {
		mix(c)
	}
	mix(proto)
	if (proto == 6 || proto == 17) && l4 > 0 && l4+4 <= n {
		for _, c := range h[l4 : l4+4] {
			mix(c)
		}
	}
	return x
}
