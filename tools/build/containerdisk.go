package build

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// A KubeVirt containerDisk is an OCI image whose layer holds one disk
// image under /disk/, owned by the qemu user (107) that virt-launcher
// runs as.
const (
	ContainerDiskFile = "disk/warren.qcow2"
	containerDiskUID  = 107
	// ContainerDiskRef names the image in the layout's index, as
	// skopeo and podman read oci-archive tarballs.
	ContainerDiskRef = "warren:latest"
	ociRefName       = "org.opencontainers.image.ref.name"
)

// WriteContainerDisk writes, at out, an OCI image layout tarball of a
// containerDisk holding the qcow2 disk at ContainerDiskFile.
func WriteContainerDisk(qcow2, out string) error {
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return diskLayer(qcow2) },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	if img, err = mutate.AppendLayers(img, layer); err != nil {
		return err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS = "amd64", "linux"
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "warren-oci-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{ociRefName: ContainerDiskRef})); err != nil {
		return err
	}
	return tarDir(dir, out)
}

// diskLayer streams the layer's tar: the /disk directory and the disk.
func diskLayer(qcow2 string) (io.ReadCloser, error) {
	f, err := os.Open(qcow2)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	r, w := io.Pipe()
	go func() {
		defer f.Close()
		tw := tar.NewWriter(w)
		err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: filepath.Dir(ContainerDiskFile) + "/", Mode: 0o755, ModTime: time.Unix(0, 0)})
		if err == nil {
			err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: ContainerDiskFile, Mode: 0o444, Size: fi.Size(),
				Uid: containerDiskUID, Gid: containerDiskUID, ModTime: time.Unix(0, 0)})
		}
		if err == nil {
			_, err = io.Copy(tw, f)
		}
		if err == nil {
			err = tw.Close()
		}
		w.CloseWithError(err)
	}()
	return r, nil
}

// tarDir writes the files under dir into a tarball at out, with paths
// relative to dir.
func tarDir(dir, out string) (err error) {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	tw := tar.NewWriter(f)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		return err
	}
	return tw.Close()
}

// ContainerDiskImage reads back the image of an OCI layout tarball that
// WriteContainerDisk made, unpacking it under tmp.
func ContainerDiskImage(archive, tmp string) (v1.Image, error) {
	if err := untar(archive, tmp); err != nil {
		return nil, fmt.Errorf("%s: %w", archive, err)
	}
	idx, err := layout.ImageIndexFromPath(tmp)
	if err != nil {
		return nil, fmt.Errorf("%s: not an OCI image layout: %w", archive, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(m.Manifests) != 1 {
		return nil, fmt.Errorf("%s: %d images, want one", archive, len(m.Manifests))
	}
	return idx.Image(m.Manifests[0].Digest)
}

// ExtractContainerDisk copies the disk of a containerDisk archive to dst.
func ExtractContainerDisk(archive, dst string) error {
	tmp, err := os.MkdirTemp("", "warren-oci-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	img, err := ContainerDiskImage(archive, tmp)
	if err != nil {
		return err
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("%s: no /%s in the image", archive, ContainerDiskFile)
		}
		if err != nil {
			return err
		}
		if h.Name == ContainerDiskFile || h.Name == "/"+ContainerDiskFile {
			f, err := os.Create(dst)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			return err
		}
	}
}

// untar unpacks the regular files and directories of a tarball into dir.
func untar(archive, dir string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !filepath.IsLocal(h.Name) {
			return fmt.Errorf("tar entry %q leaves the archive", h.Name)
		}
		path := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o755)
		case tar.TypeReg:
			err = writeEntry(path, tr)
		default:
			err = errors.New("tar entry " + h.Name + " is neither a file nor a directory")
		}
		if err != nil {
			return err
		}
	}
}

func writeEntry(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fs.FileMode(0o644))
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
