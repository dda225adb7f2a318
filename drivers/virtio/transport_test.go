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

// transports are the buses a transport-independent test runs on.
var transports = []struct {
	name string
	mmio bool
}{{"pci", false}, {"mmio", true}}

// open returns a model behind the chosen transport and the driver's
// transport over it.
func open(t *testing.T, mmio bool, o devmodel.Options) (*devmodel.Net, *virtio.Transport) {
	t.Helper()
	o.MMIO = mmio
	m, _ := newModel(t, o)
	if !mmio {
		return m, transport(t, m)
	}
	tr, id, err := virtio.NewMMIO(m.MMIORegs())
	if err != nil || id != 1 {
		t.Fatalf("NewMMIO: device %d, %v", id, err)
	}
	return m, tr
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
	tr, err := virtio.NewPCI(caps, m.MapBAR)
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

func TestNewPCINeedsStructures(t *testing.T) {
	m, _ := newModel(t, devmodel.Options{Features: devmodel.FVersion1})
	caps := []virtio.Cap{{Type: virtio.CapCommonCfg, BAR: 4, Length: 0x1000}, {Type: virtio.CapISRCfg, BAR: 4, Offset: 0x1000, Length: 1}}
	if _, err := virtio.NewPCI(caps, m.MapBAR); err == nil {
		t.Fatal("transport without a notify structure")
	}
	caps = append(caps, virtio.Cap{Type: virtio.CapNotifyCfg, BAR: 4, Offset: 0x3ff0, Length: 0x100})
	if _, err := virtio.NewPCI(caps, m.MapBAR); err == nil {
		t.Fatal("notify structure outside the BAR accepted")
	}
	caps[2].Offset = 0x3000
	caps = append([]virtio.Cap{{Type: virtio.CapCommonCfg, BAR: 2, Length: 0x1000}}, caps...)
	if _, err := virtio.NewPCI(caps, m.MapBAR); err != nil {
		t.Fatalf("unmappable first common cfg not skipped: %v", err)
	}
}

func TestNegotiate(t *testing.T) {
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testNegotiate(t, tp.mmio) })
	}
}

func testNegotiate(t *testing.T, mmio bool) {
	offered := uint64(devmodel.FVersion1 | devmodel.FEventIdx | devmodel.FIndirect | devmodel.NetFMAC | devmodel.NetFCsum | devmodel.NetFStatus | 1<<34)
	m, tr := open(t, mmio, devmodel.Options{Features: offered})
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
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testNegotiateFailures(t, tp.mmio) })
	}
}

func testNegotiateFailures(t *testing.T, mmio bool) {
	m, tr := open(t, mmio, devmodel.Options{Features: devmodel.NetFMAC})
	if _, err := tr.Negotiate(func(f virtio.Features) virtio.Features { return f }); !errors.Is(err, virtio.ErrNoVersion1) {
		t.Fatalf("legacy device: %v", err)
	}
	if m.Status()&virtio.StatusFailed == 0 {
		t.Fatal("FAILED not set for a legacy-only device")
	}

	m, tr = open(t, mmio, devmodel.Options{Features: devmodel.FVersion1 | devmodel.NetFMAC, RefuseFeaturesOK: true})
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
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testEnableQueue(t, tp.mmio) })
	}
}

func testEnableQueue(t *testing.T, mmio bool) {
	ints := &hwtest.Interrupts{}
	dma := hwtest.NewDMA(0x40000000, 4<<20)
	o := devmodel.Options{Features: devmodel.FVersion1, MSIXVectors: 3, VectorLimit: 2, MMIO: mmio}
	if mmio {
		o.MSIXVectors, o.VectorLimit = 0, 0
	}
	m := devmodel.NewNet(dma, ints, o, devmodel.NetOptions{QueueSize: 16})
	defer m.Close()
	var tr *virtio.Transport
	vec := uint16(1) // MSI-X entry 1; the device maps entries 0 and 1 only
	if mmio {
		var err error
		if tr, _, err = virtio.NewMMIO(m.MMIORegs()); err != nil {
			t.Fatal(err)
		}
		vec = virtio.NoVector
	} else {
		m.EnableMSIX()
		tr = transport(t, m)
	}
	if _, err := tr.Negotiate(func(virtio.Features) virtio.Features { return 0 }); err != nil {
		t.Fatal(err)
	}
	if tr.QueueMaxSize(0) != 16 || tr.QueueMaxSize(1) != 16 || tr.QueueMaxSize(2) != 0 {
		t.Fatalf("queue maxima %d %d %d", tr.QueueMaxSize(0), tr.QueueMaxSize(1), tr.QueueMaxSize(2))
	}
	q, err := virtio.NewSplitQueue(dma, 8, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.EnableQueue(0, fakeRing{size: 32}, virtio.NoVector); err == nil {
		t.Fatal("queue larger than the device maximum accepted")
	}
	if _, err := tr.EnableQueue(2, q, virtio.NoVector); err == nil {
		t.Fatal("unavailable queue enabled")
	}
	// Vectors the device cannot map, and any vector on virtio-mmio.
	if err := tr.SetConfigVector(2); !errors.Is(err, virtio.ErrVectorRefused) {
		t.Fatalf("refused config vector: %v", err)
	}
	if _, err := tr.EnableQueue(1, q, 2); !errors.Is(err, virtio.ErrVectorRefused) {
		t.Fatalf("refused vector: %v", err)
	}
	if err := tr.SetConfigVector(vec); err != nil {
		t.Fatal(err)
	}
	bell, err := tr.EnableQueue(1, q, vec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.EnableQueue(1, q, vec); err == nil {
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
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testReadDeviceConfigGeneration(t, tp.mmio) })
	}
}

func testReadDeviceConfigGeneration(t *testing.T, mmio bool) {
	m, tr := open(t, mmio, devmodel.Options{Features: devmodel.FVersion1 | devmodel.NetFMAC | devmodel.NetFStatus})
	// MMIO has no structure length: the configuration runs to the end
	// of the register block.
	cfgLen := 12
	if mmio {
		cfgLen = devmodel.MMIOSize - 0x100
	}
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
		if c.Len() != cfgLen || c.Read8(0) != 2 || c.Read8(5) != 1 || c.Read32(cfgLen) != 0 {
			t.Errorf("config: len %d mac %d..%d beyond %d", c.Len(), c.Read8(0), c.Read8(5), c.Read32(12))
		}
	})
}

func TestResetTimeout(t *testing.T) {
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) {
			tr := stuckTransport(t, tp.mmio)
			tr.ResetTimeout = 10 * time.Millisecond
			if err := tr.Reset(); !errors.Is(err, virtio.ErrResetTimeout) {
				t.Fatalf("Reset of a stuck device: %v", err)
			}
		})
	}
}

// stuckTransport is a transport over a device whose status never
// leaves 1.
func stuckTransport(t *testing.T, mmio bool) *virtio.Transport {
	t.Helper()
	stuck := &hwtest.Regs{
		Read:  func(off uint64, width int) uint64 { return 1 },
		Write: func(uint64, int, uint64) {},
	}
	if mmio {
		stuck.Read = mmioIdentity(stuck.Read, 2, 1)
		tr, _, err := virtio.NewMMIO(stuck, 0x200)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	bars := func(int) (hw.Regs, uint64, error) { return stuck, 0x4000, nil }
	tr, err := virtio.NewPCI([]virtio.Cap{
		{Type: virtio.CapCommonCfg, Length: 0x38},
		{Type: virtio.CapNotifyCfg, Offset: 0x100, Length: 2},
		{Type: virtio.CapISRCfg, Offset: 0x200, Length: 1},
	}, bars)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
