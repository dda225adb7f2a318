package devmodel

import (
	"encoding/binary"
	"fmt"
)

// The control queue (§5.1.6.5) and the one command the model knows,
// VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, which sets the pairs Process serves
// and Inject steers to.
const (
	ctrlClassMQ   = 4
	ctrlMQPairSet = 0
	ctrlOK        = 0
	ctrlErr       = 1
)

// ctrlIndex is the control queue's index: after the last pair with MQ,
// else 2 (§5.1.2).
func (n *Net) ctrlIndex(d *Device) int {
	if d.Negotiated(NetFMQ) {
		return 2 * int(n.opts.MaxPairs)
	}
	return 2
}

// control answers the commands the driver made available.
func (n *Net) control(d *Device) {
	q := d.queue(n.ctrlIndex(d))
	for {
		q.releaseSegs()
		c, ok, err := q.pop(d.DMA)
		if err != nil {
			d.Violationf("controlq: %v", err)
			return
		}
		if !ok {
			break
		}
		// §5.1.6.5: device-readable command, then the writable ack.
		var cmd []byte
		var ack []byte
		for _, s := range c.segs {
			switch {
			case !s.writable && ack != nil:
				d.Violationf("controlq: device-readable descriptor after the ack")
			case !s.writable:
				cmd = append(cmd, s.buf...)
			case ack == nil && len(s.buf) > 0:
				ack = s.buf
			}
		}
		if len(cmd) < 2 || ack == nil {
			d.Violationf("controlq: %d-byte command, ack buffer %v", len(cmd), ack != nil)
			q.use(c.head, 0)
			continue
		}
		ack[0] = n.command(d, cmd)
		q.use(c.head, 1)
	}
	if q.publish(false) {
		d.signalQueue(q)
	}
}

// command carries out one command and returns its ack.
func (n *Net) command(d *Device, cmd []byte) uint8 {
	n.ctrl = append(n.ctrl, ctrlString(cmd))
	if n.opts.CtrlNAK || cmd[0] != ctrlClassMQ || cmd[1] != ctrlMQPairSet || len(cmd) != 4 {
		return ctrlErr
	}
	pairs := binary.LittleEndian.Uint16(cmd[2:])
	switch {
	case !d.Negotiated(NetFMQ):
		d.Violationf("controlq: pairs set without VIRTIO_NET_F_MQ")
		return ctrlErr
	case pairs < 1 || pairs > n.opts.MaxPairs:
		// §5.1.6.5.5.1: the driver MUST NOT ask for more.
		d.Violationf("controlq: %d pairs of %d", pairs, n.opts.MaxPairs)
		return ctrlErr
	}
	n.setPairs(int(pairs))
	return ctrlOK
}

// setPairs sets the pairs in use. Packets waiting for a queue no longer
// in use move to the first.
func (n *Net) setPairs(k int) {
	n.pairs = k
	for p := k; p < len(n.rxWaiting); p++ {
		n.rxWaiting[0] = append(n.rxWaiting[0], n.rxWaiting[p]...)
		n.rxWaiting[p] = nil
	}
}

// ctrlString shows a command as "class.command data".
func ctrlString(cmd []byte) string { return fmt.Sprintf("%d.%d % x", cmd[0], cmd[1], cmd[2:]) }

// Pairs is the number of pairs in use.
func (n *Net) Pairs() int { n.mu.Lock(); defer n.mu.Unlock(); return n.pairs }

// CtrlCommands lists the control commands received, as "class.command
// data" ("4.0 02 00": two pairs).
func (n *Net) CtrlCommands() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.ctrl...)
}
