package net

import (
	"bytes"
	"runtime"
	"sync"
	"testing"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/drivers/virtio/internal/devmodel"
)

// TestNoLostInterrupts races traffic against the driver's interrupt
// suppression: several goroutines inject frames while others transmit,
// on small rings. The model interrupts strictly by the rules, so a
// driver that re-enabled interrupts without re-checking the ring would
// sleep with frames pending and the test would time out.
func TestNoLostInterrupts(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			o := mode.o
			o.net.QueueSize = 4
			e := openEnv(t, o)
			const injectors, perInjector = 4, 1500
			var wg sync.WaitGroup
			for g := range injectors {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perInjector {
						e.m.Inject(devmodel.Packet{Data: frame(60, g*perInjector+i)})
						if i%64 == 0 {
							time.Sleep(time.Microsecond)
						}
					}
				}()
			}
			const senders, perSender = 2, 1500
			for range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perSender {
						if err := transmitAll(e.d, []ether.Frame{one(frame(60, i))}); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			e.waitRX(injectors * perInjector)
			wg.Wait()
			if _, err := e.m.WaitSent(senders*perSender, 10*time.Second); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestRecheckAfterRearm makes the device deliver a frame exactly in the
// window between the driver's last look at the used ring and its
// re-enabling of interrupts, every time the driver is about to go idle.
// The device sees interrupts suppressed and stays quiet, so unless the
// driver re-checks the ring after re-enabling, the frame is never seen.
func TestRecheckAfterRearm(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			const total = 200
			injected := 0 // the first comes in the poll the driver starts with
			o := mode.o
			o.rearm = func(e *env) {
				if injected == total {
					return
				}
				e.m.Inject(devmodel.Packet{Data: frame(60, injected)})
				injected++
				for e.m.RXWaiting() > 0 { // delivered and published
					runtime.Gosched()
				}
			}
			e := openEnv(t, o)
			got := e.waitRX(total)
			for i, f := range got {
				if !bytes.Equal(f.data, frame(60, i)) {
					t.Fatalf("frame %d differs", i)
				}
			}
		})
	}
}
