package build_test

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// TestContainerDisk makes a containerDisk of the stand-in hello image and
// reads it back as an OCI image layout: its media types, the reference
// name, and one layer holding /disk/warren.qcow2 owned by 107:107.
func TestContainerDisk(t *testing.T) {
	qemu.RequireTools(t, diskTools...)
	dir := t.TempDir()
	archive := filepath.Join(dir, "hello.tar")
	if err := build.WriteFormat(context.Background(), build.FormatContainerDisk, helloImage(t), archive, "ip=dhcp", nil); err != nil {
		t.Fatal(err)
	}
	unpacked := filepath.Join(dir, "layout")
	img, err := build.ContainerDiskImage(archive, unpacked)
	if err != nil {
		t.Fatal(err)
	}
	if layout, err := os.ReadFile(filepath.Join(unpacked, "oci-layout")); err != nil || !bytes.Contains(layout, []byte(`"imageLayoutVersion"`)) {
		t.Errorf("oci-layout: %q, %v", layout, err)
	}
	idx, err := layout.ImageIndexFromPath(unpacked)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 || im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != build.ContainerDiskRef {
		t.Errorf("index %+v, %v: want one image named %s", im, err, build.ContainerDiskRef)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("manifest %s, config %s", m.MediaType, m.Config.MediaType)
	}
	if len(m.Layers) != 1 || m.Layers[0].MediaType != types.OCILayer {
		t.Fatalf("layers %+v, want one %s", m.Layers, types.OCILayer)
	}
	cfg, err := img.ConfigFile()
	if err != nil || cfg.Architecture != "amd64" || cfg.OS != "linux" {
		t.Errorf("config %+v, %v", cfg, err)
	}

	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	found := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name != build.ContainerDiskFile {
			continue
		}
		found = true
		if h.Uid != 107 || h.Gid != 107 || h.Typeflag != tar.TypeReg {
			t.Errorf("%s: type %c, owner %d:%d, want a file of 107:107", h.Name, h.Typeflag, h.Uid, h.Gid)
		}
		magic := make([]byte, 4)
		if _, err := io.ReadFull(tr, magic); err != nil || string(magic) != "QFI\xfb" {
			t.Errorf("%s starts with %q, not qcow2's magic", h.Name, magic)
		}
	}
	if !found {
		t.Fatalf("no %s in the layer", build.ContainerDiskFile)
	}

	qcow2 := filepath.Join(dir, "disk.qcow2")
	if err := build.ExtractContainerDisk(archive, qcow2); err != nil {
		t.Fatal(err)
	}
	if err := build.CheckDisk(qcow2, build.FormatQCOW2); err != nil {
		t.Error(err)
	}
}
