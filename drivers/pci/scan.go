package pci

import "sort"

// Scan finds every function below the host bridge of bus 0; see ScanFrom.
func Scan(c Config) []Device { return ScanFrom(c, 0) }

// ScanFrom probes every function on the root buses given and, through
// the PCI-to-PCI bridges found there, on the buses behind them, as
// firmware numbered them (a bridge's secondary bus register); it returns
// them ordered by address. Buses are not renumbered, so a bridge firmware
// left unconfigured (secondary bus 0) hides what is behind it, and a bus
// reached twice (a looped or overlapping numbering) is scanned once.
//
// Following bridges, as Linux does, costs a probe per slot of each real
// bus rather than 8192 probes for all 256 buses. Root buses other than 0
// (machines with several host bridges or PCI expander bridges) are known
// only from ACPI; pass them to ScanFrom.
//
// On each bus, function 0 of each device is probed, and functions 1-7
// only if function 0's header type marks it multi-function (PCI 3.0
// §6.2.1): single-function devices may answer for every function number.
//
// Scan sizes BARs, which briefly turns decoding off; it must run before
// drivers use the devices.
func ScanFrom(c Config, roots ...uint8) []Device {
	var seen [256]bool
	var devs []Device
	queue := append([]uint8(nil), roots...)
	for len(queue) > 0 {
		bus := queue[0]
		queue = queue[1:]
		if seen[bus] {
			continue
		}
		seen[bus] = true
		for _, d := range scanBus(c, bus) {
			devs = append(devs, d)
			if d.HeaderType == HeaderBridge && d.SecondaryBus != 0 && !seen[d.SecondaryBus] {
				queue = append(queue, d.SecondaryBus)
			}
		}
	}
	sort.Slice(devs, func(i, j int) bool { return less(devs[i].Address, devs[j].Address) })
	return devs
}

func scanBus(c Config, bus uint8) []Device {
	var devs []Device
	for dev := uint8(0); dev < 32; dev++ {
		d, ok := Probe(c, Address{bus, dev, 0})
		if !ok {
			continue
		}
		devs = append(devs, d)
		if !d.MultiFunction {
			continue
		}
		for fn := uint8(1); fn < 8; fn++ {
			if d, ok := Probe(c, Address{bus, dev, fn}); ok {
				devs = append(devs, d)
			}
		}
	}
	return devs
}

func less(a, b Address) bool {
	if a.Bus != b.Bus {
		return a.Bus < b.Bus
	}
	if a.Device != b.Device {
		return a.Device < b.Device
	}
	return a.Function < b.Function
}
