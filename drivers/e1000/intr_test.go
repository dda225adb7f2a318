package e1000

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"warren.dev/drivers/e1000/e1000test"
	"warren.dev/drivers/e1000/internal/reg"
	"warren.dev/drivers/ether"
)

// Frames trickling in from several senders at random moments, while
// frames go out, with and without throttling: every one arrives, so no
// interrupt was lost between reading ICR and waiting again.
func TestNoLostInterrupt(t *testing.T) {
	for _, rate := range []int{-1, 8000, 20000} {
		r := newRig(t, e1000test.Config{RxFIFO: 8}, Options{RxDescriptors: 16, TxDescriptors: 16, InterruptRate: rate})
		const senders, each = 4, 300
		var wg sync.WaitGroup
		for s := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(s), uint64(rate)))
				for i := 0; i < each; {
					if rng.IntN(4) == 0 {
						time.Sleep(time.Duration(rng.IntN(200)) * time.Microsecond)
					}
					if r.m.Receive(numbered(testMAC, s<<16|i, 46)) {
						i++
					}
				}
			}()
		}
		sent := 0
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := []ether.Frame{{Data: [][]byte{numbered(peerMAC, 0, 46)}}}
			for sent < 500 {
				n, _ := r.d.Transmit(f)
				sent += n
				if n == 0 {
					time.Sleep(50 * time.Microsecond)
				}
			}
		}()
		got := r.waitRx(senders * each)
		wg.Wait()
		next := make([]int, senders)
		for _, g := range got {
			s, i := seqOf(g.data)>>16, seqOf(g.data)&0xFFFF
			if i != next[s] {
				t.Fatalf("rate %d: sender %d: frame %d after %d", rate, s, i, next[s]-1)
			}
			next[s]++
		}
		eventually(t, "transmit completions", func() bool { return r.d.Stats().TxPackets == 500 })
		// The driver went back to waiting after its last interrupt.
		eventually(t, "idle", func() bool { return r.m.Reg(reg.ICR) == 0 })
		t.Logf("rate %d: %d interrupts", rate, r.m.Counts().Fires)
	}
}

// ITR spaces interrupts: a steady stream at a low rate cap raises about
// rate × time of them, and loses nothing.
func TestInterruptModeration(t *testing.T) {
	const rate = 200 // one per 5 ms
	r := newRig(t, e1000test.Config{RxFIFO: 1024}, Options{InterruptRate: rate})
	if v := r.m.Reg(reg.ITR); v != 1_000_000_000/(256*rate) {
		t.Errorf("ITR %d", v)
	}
	before := r.m.Counts().Fires
	start := time.Now()
	n := 0
	for time.Since(start) < 200*time.Millisecond {
		if r.m.Receive(numbered(testMAC, n, 46)) {
			n++
		}
		time.Sleep(100 * time.Microsecond)
	}
	r.waitRx(n)
	fires := r.m.Counts().Fires - before
	el := time.Since(start)
	limit := int(el.Seconds()*rate) + 3
	if fires > limit || fires < 5 {
		t.Errorf("%d interrupts for %d frames in %v; want at most %d", fires, n, el, limit)
	}
	t.Logf("%d frames, %d interrupts in %v", n, fires, el)

	r2 := newRig(t, e1000test.Config{}, Options{InterruptRate: -1})
	if v := r2.m.Reg(reg.ITR); v != 0 {
		t.Errorf("unthrottled ITR %d", v)
	}
}

// A shared line: interrupts with ICR clear are another device's.
func TestSpuriousInterrupt(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	before := r.d.Stats().Interrupts
	r.irq.Fire()
	time.Sleep(20 * time.Millisecond)
	if n := r.d.Stats().Interrupts; n != before {
		t.Errorf("spurious interrupt counted: %d", n-before)
	}
	r.m.Receive(numbered(testMAC, 0, 46))
	r.waitRx(1)
}
