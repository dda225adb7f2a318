package bench

import (
	"slices"
	"strings"
	"testing"
)

func TestParseDepends(t *testing.T) {
	info := []byte("license=GPL\x00depends=net_failover,virtio_ring\x00intree=Y\x00")
	if got := parseDepends(info); !slices.Equal(got, []string{"net_failover", "virtio_ring"}) {
		t.Errorf("parseDepends = %q", got)
	}
	if got := parseDepends([]byte("depends=\x00name=e1000\x00")); got != nil {
		t.Errorf("empty depends = %q", got)
	}
	if moduleName("/x/kernel/drivers/net/virtio-net.ko") != "virtio_net" {
		t.Error("moduleName does not turn dashes into underscores")
	}
}

func TestLoadOrder(t *testing.T) {
	deps := map[string][]string{
		"virtio_net":   {"net_failover", "virtio", "virtio_ring"},
		"net_failover": {"failover"},
		"virtio_pci":   {"virtio_pci_modern_dev", "virtio", "virtio_ring"},
		"virtio_ring":  {"virtio"},
	}
	order, err := loadOrder([]string{"virtio_pci", "virtio_net", "e1000"}, func(n string) ([]string, error) { return deps[n], nil })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"virtio_pci_modern_dev", "virtio", "virtio_ring", "virtio_pci", "failover", "net_failover", "virtio_net", "e1000"}
	if !slices.Equal(order, want) {
		t.Errorf("order %q, want %q", order, want)
	}
	deps["virtio"] = []string{"virtio_net"}
	if _, err := loadOrder([]string{"virtio_net"}, func(n string) ([]string, error) { return deps[n], nil }); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle: %v", err)
	}
}
