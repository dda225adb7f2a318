package bench

import (
	"path/filepath"
	"testing"
)

func TestParseAptDepends(t *testing.T) {
	out := "linux-image-amd64\n  Depends: linux-image-6.1.0-56-amd64\n  Recommends: firmware-linux-free\n"
	if pkg, err := parseAptDepends(out); err != nil || pkg != "linux-image-6.1.0-56-amd64" {
		t.Errorf("parseAptDepends = %q, %v", pkg, err)
	}
	alt := "linux-image-amd64\n |Depends: linux-image-6.12.9-amd64-unsigned\n  Depends: linux-image-6.12.9-amd64\n"
	if pkg, err := parseAptDepends(alt); err != nil || pkg != "linux-image-6.12.9-amd64-unsigned" {
		t.Errorf("alternatives: %q, %v", pkg, err)
	}
	if _, err := parseAptDepends("linux-image-amd64\n  Depends: firmware\n"); err == nil {
		t.Error("no kernel package accepted")
	}
}

func TestCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/x/cache")
	if d, err := CacheDir(); err != nil || d != filepath.Join("/x/cache", "warren-bench") {
		t.Errorf("CacheDir = %q, %v", d, err)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, err := CacheDir(); err != nil || d != "/home/u/.cache/warren-bench" {
		t.Errorf("CacheDir without XDG_CACHE_HOME = %q, %v", d, err)
	}
}
