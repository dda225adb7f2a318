package e1000

import (
	"testing"
	"time"

	"warren.dev/drivers/e1000/e1000test"
	"warren.dev/drivers/ether"
)

func TestHWStats(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	var frames []ether.Frame
	var octets uint64
	for i, n := range []int{60, 100, 1514} {
		frames = append(frames, ether.Frame{Data: [][]byte{numbered(peerMAC, i, n-14)}})
		octets += uint64(n + 4)
	}
	frames = append(frames, ether.Frame{Data: [][]byte{numbered(bcastMAC, 3, 46)}})
	octets += 64
	r.d.Transmit(frames)
	r.m.WaitSent(4, 5*time.Second)
	for i := range 3 {
		r.m.Receive(numbered(testMAC, i, 100))
	}
	r.waitRx(3)
	hs := r.d.HWStats()
	if hs.GPTC != 4 || hs.TPT != 4 || hs.GOTC != octets || hs.TOT != octets || hs.BPTC != 1 {
		t.Errorf("transmit: GPTC %d TPT %d GOTC %d TOT %d BPTC %d, want 4 4 %d %d 1", hs.GPTC, hs.TPT, hs.GOTC, hs.TOT, hs.BPTC, octets, octets)
	}
	if hs.PTC64 != 2 || hs.PTC127 != 1 || hs.PTC1522 != 1 {
		t.Errorf("PTC64 %d PTC127 %d PTC1522 %d", hs.PTC64, hs.PTC127, hs.PTC1522)
	}
	if hs.GPRC != 3 || hs.TPR != 3 || hs.GORC != 3*118 || hs.PRC127 != 3 {
		t.Errorf("receive: GPRC %d TPR %d GORC %d PRC127 %d", hs.GPRC, hs.TPR, hs.GORC, hs.PRC127)
	}
	// The registers cleared: reading again adds nothing, new traffic adds.
	if hs2 := r.d.HWStats(); hs2 != hs {
		t.Errorf("second read changed the totals: %+v", hs2)
	}
	r.m.Receive(numbered(testMAC, 9, 100))
	r.waitRx(4)
	if hs3 := r.d.HWStats(); hs3.GPRC != 4 || hs3.GORC != 4*118 {
		t.Errorf("after one more frame: GPRC %d GORC %d", hs3.GPRC, hs3.GORC)
	}
}

// Missed packets: the ring and packet buffer full while the receiver
// stalls. MPC counts them, on a device that clears it on read and on
// QEMU's, which does not.
func TestHWStatsMissedPackets(t *testing.T) {
	for _, sticky := range []bool{false, true} {
		r := newRig(t, e1000test.Config{RxFIFO: 2, StickyStats: sticky}, Options{RxDescriptors: 8})
		gate := make(chan struct{})
		r.d.SetReceiver(func(f ether.Frame) { <-gate; r.receive(f) })
		missed, taken := 0, 0
		for i := range 40 {
			if r.m.Receive(numbered(testMAC, i, 46)) {
				taken++
			} else {
				missed++
			}
		}
		close(gate)
		r.waitRx(taken)
		for range 3 {
			if hs := r.d.HWStats(); hs.MPC != uint64(missed) {
				t.Errorf("sticky=%v: MPC %d, want %d", sticky, hs.MPC, missed)
			}
		}
		if s := r.d.Stats(); s.RxOverruns == 0 {
			t.Errorf("sticky=%v: no receiver overrun seen", sticky)
		}
		for i := range 5 {
			r.m.Receive(numbered(testMAC, 100+i, 46))
		}
		r.waitRx(taken + 5)
		if hs := r.d.HWStats(); hs.MPC != uint64(missed) || hs.GPRC != uint64(taken+5) {
			t.Errorf("sticky=%v: MPC %d GPRC %d, want %d %d", sticky, hs.MPC, hs.GPRC, missed, taken+5)
		}
	}
}
