package link

import (
	"net"
	"sync"
	"sync/atomic"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/stack/gro"

	"warren.dev/drivers/ether"
)

var (
	_ stack.LinkEndpoint = (*Endpoint)(nil)
	_ stack.GSOEndpoint  = (*Endpoint)(nil)
)

// gsoMaxSize bounds the TCP segments the stack hands down when GSO is on;
// netstack keeps segments 161 bytes under it, so an IPv4 packet stays
// within its 16-bit total length.
const gsoMaxSize = 1 << 16

// Options tune an Endpoint.
type Options struct {
	// Name labels the link in statistics ("eth0").
	Name string
	// NoGSO stops the endpoint from asking the stack for 64 KiB TCP
	// segments. By default it asks for them even when the device has no
	// TSO and cuts them itself, since netstack's cost is per packet.
	NoGSO bool
}

// Endpoint is a stack.LinkEndpoint over a NIC: an Ethernet link whose
// frames go to and come from the driver.
type Endpoint struct {
	nic   NIC
	name  string
	feats ether.Features
	gso   bool
	mac   atomic.Value // tcpip.LinkAddress
	mtu   atomic.Uint32

	dispatcher atomic.Pointer[dispatcherBox]
	// deliverMu is read-held while a frame is being delivered so Close
	// can wait for the last delivery after the driver stopped.
	deliverMu sync.RWMutex
	groMu     sync.Mutex
	gro       gro.GRO // rx.go

	closeOnce sync.Once
	closeMu   sync.Mutex
	onClose   func()

	txPool sync.Pool // *txBatch
	counters
}

// dispatcherBox lets a nil dispatcher be stored atomically.
type dispatcherBox struct{ d stack.NetworkDispatcher }

// New wraps nic. The endpoint installs itself as the NIC's receiver; frames
// are dropped until the stack attaches.
func New(nic NIC, opts Options) *Endpoint {
	e := &Endpoint{nic: nic, name: opts.Name, feats: nic.Features(), gso: !opts.NoGSO}
	mac := nic.MAC()
	e.mac.Store(tcpip.LinkAddress(mac[:]))
	e.mtu.Store(uint32(nic.MTU()))
	e.gro.Init(true)
	e.txPool.New = func() any { return new(txBatch) }
	nic.SetReceiver(e.receive)
	return e
}

// Name is the label given in Options.
func (e *Endpoint) Name() string { return e.name }

// NIC is the device under the endpoint.
func (e *Endpoint) NIC() NIC { return e.nic }

// HardwareAddr is the MAC address in the standard library's form.
func (e *Endpoint) HardwareAddr() net.HardwareAddr {
	return net.HardwareAddr([]byte(e.LinkAddress()))
}

// MTU implements stack.LinkEndpoint: the largest IP packet.
func (e *Endpoint) MTU() uint32 { return e.mtu.Load() }

// SetMTU implements stack.LinkEndpoint.
func (e *Endpoint) SetMTU(mtu uint32) { e.mtu.Store(mtu) }

// MaxHeaderLength implements stack.LinkEndpoint: room for the Ethernet
// header in front of every packet.
func (e *Endpoint) MaxHeaderLength() uint16 { return header.EthernetMinimumSize }

// LinkAddress implements stack.LinkEndpoint.
func (e *Endpoint) LinkAddress() tcpip.LinkAddress { return e.mac.Load().(tcpip.LinkAddress) }

// SetLinkAddress implements stack.LinkEndpoint. It changes only what the
// stack uses as source address; the device keeps its filter.
func (e *Endpoint) SetLinkAddress(addr tcpip.LinkAddress) { e.mac.Store(addr) }

// Capabilities implements stack.LinkEndpoint. TX checksum offload is not
// advertised: netstack would then leave UDP checksums empty, and a UDP
// datagram it fragments cannot be completed by the device. TCP still gets
// device checksums through the GSO path, where netstack seeds them.
func (e *Endpoint) Capabilities() stack.LinkEndpointCapabilities {
	c := stack.CapabilityResolutionRequired
	if e.feats.Has(ether.FeatureRXCsum) {
		c |= stack.CapabilityRXChecksumOffload
	}
	return c
}

// GSOMaxSize implements stack.GSOEndpoint.
func (e *Endpoint) GSOMaxSize() uint32 {
	if !e.gso {
		return 0
	}
	return gsoMaxSize
}

// SupportedGSO implements stack.GSOEndpoint: "host" GSO, meaning the
// endpoint (device or software) segments.
func (e *Endpoint) SupportedGSO() stack.SupportedGSO {
	if !e.gso {
		return stack.GSONotSupported
	}
	return stack.HostGSOSupported
}

// Attach implements stack.LinkEndpoint. Attach(nil) stops delivery at once;
// it must not wait for a delivery in progress, which may itself need the
// stack lock the caller holds.
func (e *Endpoint) Attach(d stack.NetworkDispatcher) {
	if d == nil {
		e.dispatcher.Store(nil)
		return
	}
	e.dispatcher.Store(&dispatcherBox{d})
}

// IsAttached implements stack.LinkEndpoint.
func (e *Endpoint) IsAttached() bool { return e.dispatcher.Load() != nil }

// Wait implements stack.LinkEndpoint. The endpoint has no goroutines of its
// own; the driver's receive goroutine is stopped by Close.
func (e *Endpoint) Wait() {}

// ARPHardwareType implements stack.LinkEndpoint.
func (e *Endpoint) ARPHardwareType() header.ARPHardwareType { return header.ARPHardwareEther }

// Close implements stack.LinkEndpoint: it closes the device and returns
// once no frame is being delivered.
func (e *Endpoint) Close() {
	e.closeOnce.Do(func() {
		e.dispatcher.Store(nil)
		e.nic.Close()
		// Taking the lock waits out a delivery still in progress.
		e.deliverMu.Lock()
		e.deliverMu.Unlock()
		e.closeMu.Lock()
		f := e.onClose
		e.closeMu.Unlock()
		if f != nil {
			f()
		}
	})
}

// SetOnCloseAction implements stack.LinkEndpoint.
func (e *Endpoint) SetOnCloseAction(f func()) {
	e.closeMu.Lock()
	e.onClose = f
	e.closeMu.Unlock()
}
