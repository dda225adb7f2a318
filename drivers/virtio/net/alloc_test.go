//go:build !race

package net

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/drivers/virtio/internal/devmodel"
)

// TestReceiveDoesNotAllocate counts heap allocations, in the whole
// process, while the driver receives frames: the model's receive path
// does not allocate either, so allocations that grow with the frames are
// the driver's. A few come from the runtime itself (timers, the
// scheduler under a loaded host), so the bound is one per 50 frames,
// far below the one a frame an allocating path would make. (Not under
// the race detector, which allocates on its own.)
func TestReceiveDoesNotAllocate(t *testing.T) {
	var frames, bytes atomic.Int64
	e := openEnv(t, opts{bufferSize: 512, net: devmodel.NetOptions{QueueSize: 16}, receive: func(fs []ether.Frame) {
		for i := range fs {
			bytes.Add(int64(fs[i].Len()))
		}
		frames.Add(int64(len(fs)))
	}})
	const total = 500
	e.m.Pause()
	for i := range total {
		e.m.Inject(devmodel.Packet{Data: frame(60+i*7%1455, i)}) // some merged
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	e.m.Resume()
	deadline := time.Now().Add(10 * time.Second)
	for frames.Load() < total && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	runtime.ReadMemStats(&after)
	if frames.Load() != total {
		t.Fatalf("%d of %d frames", frames.Load(), total)
	}
	t.Logf("%d allocations", after.Mallocs-before.Mallocs)
	if n := after.Mallocs - before.Mallocs; n > total/50 {
		t.Errorf("%d allocations receiving %d frames", n, total)
	}
}
