package virtio_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"warren.dev/drivers/hw"
	"warren.dev/drivers/hw/hwtest"
	"warren.dev/drivers/virtio"
	"warren.dev/drivers/virtio/internal/devmodel"
)

func newModel(t *testing.T, o devmodel.Options) (*devmodel.Net, *hwtest.DMA) {
	t.Helper()
	dma := hwtest.NewDMA(0x40000000, 4<<20)
	m := devmodel.NewNet(dma, &hwtest.Interrupts{}, o, devmodel.NetOptions{MAC: [6]byte{2, 0, 0, 0, 0, 1}, LinkUp: true, QueueSize: 16})
	t.Cleanup(m.Close)
	return m, dma
}

func transport(t *testing.T, m *devmodel.Net) *virtio.Transport {
	t.Helper()
	cs, offs := m.ConfigSpace()
	var caps []virtio.Cap
	for _, off := range offs {
		c, err := virtio.ReadCap(cs, off)
		if err != nil {
			t.Fatalf("cap at %#x: %v", off, err)
		}
		caps = append(caps, c)
	}
	tr, err := virtio.NewTransport(caps, m.MapBAR)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestReadCap(t *testing.T) {
	m, _ := newModel(t, devmodel.Options{Features: devmodel.FVersion1})
	cs, offs := m.ConfigSpace()
	var got []virtio.Cap
	for _, off := range offs {
		c, err := virtio.ReadCap(cs, off)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	want := []virtio.Cap{
		{Type: virtio.CapCommonCfg, BAR: 7, Length: 0x38},
		{Type: virtio.CapCommonCfg, BAR: 4, Offset: 0, Length: 0x1000},
		{Type: virtio.CapNotifyCfg, BAR: 4, Offset: 0x3000, Length: 8, NotifyOffMultiplier: 4},
		{Type: virtio.CapISRCfg, BAR: 4, Offset: 0x1000, Length: 0x1000},
		{Type: virtio.CapDeviceCfg, BAR: 4, Offset: 0x2000, Length: 12},
		{Type: virtio.CapPCICfg},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("caps\n got %+v\nwant %+v", got, want)
	}
	if _, err := virtio.ReadCap(cs, 0); !errors.Is(err, virtio.ErrNotVirtioCap) {
		t.Errorf("header parsed as a capability: %v", err)
	}
	if _, err := virtio.ReadCap(cs, offs[0]+2); err == nil {
		t.Error("unaligned offset accepted")
	}
}

func TestNewTransportNeedsStructures(t *testing.T) {
	m, _ := newModel(t, devmodel.Options{Features: devmodel.FVersion1})
	caps := []virtio.Cap{{Type: virtio.CapCommonCfg, BAR: 4, Length: 0x1000}, {Type: virtio.CapISRCfg, BAR: 4, Offset: 0x1000, Length: 1}}
	if _, err := virtio.NewTransport(caps, m.MapBAR); err == nil {
		t.Fatal("transport without a notify structure")
	}
	caps = append(caps, virtio.Cap{Type: virtio.CapNotifyCfg, BAR: 4, Offset: 0x3ff0, Length: 0x100})
	if _, err := virtio.NewTransport(caps, m.MapBAR); err == nil {
		t.Fatal("notify structure outside the BAR accepted")
	}
	caps[2].Offset = 0x3000
	caps = append([]virtio.Cap{{Type: virtio.CapCommonCfg, BAR: 2, Length: 0x1000}}, caps...)
	if _, err := virtio.NewTransport(caps, m.MapBAR); err != nil {
		t.Fatalf("unmappable first common cfg not skipped: %v", err)
	}
}

func TestNegotiate(t *testing.T) {
	offered := uint64(devmodel.FVersion1 | devmodel.FEventIdx | devmodel.FIndirect | devmodel.NetFMAC | devmodel.NetFCsum | devmodel.NetFStatus | 1<<34)
	m, _ := newModel(t, devmodel.Options{Features: offered})
	tr := transport(t, m)
	var sawOffered virtio.Features
	got, err := tr.Negotiate(func(f virtio.Features) virtio.Features {
		sawOffered = f
		// MQ is not offered, INDIRECT_DESC is not implemented.
		return devmodel.NetFMAC | devmodel.NetFStatus | devmodel.NetFMQ | virtio.FIndirectDesc | virtio.TransportFeatures
	})
	if err != nil {
		t.Fatal(err)
	}
	if sawOffered != virtio.Features(offered) {
		t.Errorf("accept saw %v, offered %v", sawOffered, virtio.Features(offered))
	}
	want := virtio.Features(devmodel.NetFMAC | devmodel.NetFStatus | devmodel.FVersion1 | devmodel.FEventIdx)
	if got != want || virtio.Features(m.DriverFeatures()) != want {
		t.Fatalf("negotiated %v, device has %v, want %v", got, virtio.Features(m.DriverFeatures()), want)
	}
	if s := m.Status(); s != virtio.StatusAcknowledge|virtio.StatusDriver|virtio.StatusFeaturesOK {
		t.Fatalf("status %#x", s)
	}
	if v := m.Violations(); len(v) > 0 {
		t.Fatal(v)
	}
}

func TestNegotiateFailures(t *testing.T) {
	m, _ := newModel(t, devmodel.Options{Features: devmodel.NetFMAC})
	if _, err := transport(t, m).Negotiate(func(f virtio.Features) virtio.Features { return f }); !errors.Is(err, virtio.ErrNoVersion1) {
		t.Fatalf("legacy device: %v", err)
	}
	if m.Status()&virtio.StatusFailed == 0 {
		t.Fatal("FAILED not set for a legacy-only device")
	}

	m, _ = newModel(t, devmodel.Options{Features: devmodel.FVersion1 | devmodel.NetFMAC, RefuseFeaturesOK: true})
	tr := transport(t, m)
	if _, err := tr.Negotiate(func(f virtio.Features) virtio.Features { return f }); !errors.Is(err, virtio.ErrFeaturesRejected) {
		t.Fatalf("refused FEATURES_OK: %v", err)
	}
	if s := m.Status(); s&virtio.StatusFailed == 0 || s&virtio.StatusFeaturesOK != 0 {
		t.Fatalf("status %#x after refusal", s)
	}
	// A fresh Negotiate starts with a reset, which clears FAILED.
	before := m.Resets()
	tr.Negotiate(func(f virtio.Features) virtio.Features { return f })
	if m.Resets() != before+1 {
		t.Fatal("Negotiate did not reset the device")
	}
}

type fakeRing struct {
	size                 int
	desc, driver, device uint64
}

func (r fakeRing) Size() int                           { return r.size }
func (r fakeRing) Addresses() (uint64, uint64, uint64) { return r.desc, r.driver, r.device }

func TestEnableQueue(t *testing.T) {
	ints := &hwtest.Interrupts{}
	dma := hwtest.NewDMA(0x40000000, 4<<20)
	m := devmodel.NewNet(dma, ints, devmodel.Options{Features: devmodel.FVersion1, MSIXVectors: 3, VectorLimit: 2}, devmodel.NetOptions{QueueSize: 16})
	defer m.Close()
	m.EnableMSIX()
	tr := transport(t, m)
	if _, err := tr.Negotiate(func(virtio.Features) virtio.Features { return 0 }); err != nil {
		t.Fatal(err)
	}
	if tr.NumQueues() != 2 || tr.QueueMaxSize(0) != 16 || tr.QueueMaxSize(2) != 0 {
		t.Fatalf("queues %d, max %d", tr.NumQueues(), tr.QueueMaxSize(0))
	}
	if err := tr.SetConfigVector(0); err != nil {
		t.Fatal(err)
	}
	q, err := virtio.NewSplitQueue(dma, 8, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.EnableQueue(0, fakeRing{size: 32}, virtio.NoVector); err == nil {
		t.Fatal("queue larger than the device maximum accepted")
	}
	if _, err := tr.EnableQueue(1, q, 2); !errors.Is(err, virtio.ErrVectorRefused) {
		t.Fatalf("refused vector: %v", err)
	}
	bell, err := tr.EnableQueue(1, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.EnableQueue(1, q, 1); err == nil {
		t.Fatal("enabled twice")
	}
	if err := tr.DriverOK(); err != nil {
		t.Fatal(err)
	}
	bell.Ring()
	if m.Notifies(1) != 1 {
		t.Fatalf("doorbell reached queue counts %d/%d", m.Notifies(0), m.Notifies(1))
	}
	if v := m.Violations(); len(v) > 0 {
		t.Fatal(v)
	}
}

func TestReadDeviceConfigGeneration(t *testing.T) {
	m, _ := newModel(t, devmodel.Options{Features: devmodel.FVersion1 | devmodel.NetFMAC | devmodel.NetFStatus})
	tr := transport(t, m)
	if _, err := tr.Negotiate(func(f virtio.Features) virtio.Features { return f }); err != nil {
		t.Fatal(err)
	}
	calls := 0
	var status uint16
	err := tr.ReadDeviceConfig(func(c virtio.DeviceConfig) {
		calls++
		if calls == 1 {
			m.SetLink(false) // the configuration changes mid-read
		}
		status = c.Read16(6)
	})
	if err != nil || calls != 2 || status != 0 {
		t.Fatalf("err %v, %d calls, status %d", err, calls, status)
	}
	tr.ReadDeviceConfig(func(c virtio.DeviceConfig) {
		if c.Len() != 12 || c.Read8(0) != 2 || c.Read8(5) != 1 || c.Read32(12) != 0 {
			t.Errorf("config: len %d mac %d..%d beyond %d", c.Len(), c.Read8(0), c.Read8(5), c.Read32(12))
		}
	})
}

func TestResetTimeout(t *testing.T) {
	stuck := &hwtest.Regs{
		Read:  func(off uint64, width int) uint64 { return 1 },
		Write: func(uint64, int, uint64) {},
	}
	bars := func(int) (hw.Regs, uint64, error) { return stuck, 0x4000, nil }
	tr, err := virtio.NewTransport([]virtio.Cap{
		{Type: virtio.CapCommonCfg, Length: 0x38},
		{Type: virtio.CapNotifyCfg, Offset: 0x100, Length: 2},
		{Type: virtio.CapISRCfg, Offset: 0x200, Length: 1},
	}, bars)
	if err != nil {
		t.Fatal(err)
	}
	tr.ResetTimeout = 10 * time.Millisecond
	if err := tr.Reset(); !errors.Is(err, virtio.ErrResetTimeout) {
		t.Fatalf("Reset of a stuck device: %v", err)
	}
}
