package build

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBuildISOMissingTools(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := BuildISO(t.Context(), "/nonexistent", "/nonexistent.iso", "", nil)
	if err == nil || !contains(err.Error(), "grub-pc-bin") {
		t.Errorf("got %v, want an error naming grub-pc-bin", err)
	}
}

func TestCheckISO(t *testing.T) {
	// descriptors returns an image whose volume descriptors, from sector
	// 16 on, have the given types; a boot record names El Torito.
	descriptors := func(types ...byte) []byte {
		data := make([]byte, (isoFirstVD+len(types))*isoSector)
		for i, typ := range types {
			vd := data[(isoFirstVD+i)*isoSector:]
			vd[0] = typ
			copy(vd[1:], "CD001\x01")
			if typ == isoVDBoot {
				copy(vd[7:], elToritoSystem)
			}
		}
		return data
	}
	if err := checkISO(descriptors(1, isoVDBoot, isoVDEnd)); err != nil {
		t.Errorf("bootable: %v", err)
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"empty":        {nil, "empty file"},
		"short":        {make([]byte, 100), "not an ISO 9660 image"},
		"zeros":        {make([]byte, 64<<10), "not an ISO 9660 image"},
		"not bootable": {descriptors(1, isoVDEnd), "without an El Torito boot record"},
	} {
		if err := checkISO(tc.data); err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
		}
	}
	path := filepath.Join(t.TempDir(), "x.iso")
	os.WriteFile(path, nil, 0o644)
	if err := CheckISO(path); err == nil || !contains(err.Error(), path+": empty file") {
		t.Errorf("CheckISO: %v", err)
	}
}
