package build

import "context"

// qcow2Magic starts every qcow2 file.
const qcow2Magic = "QFI\xfb"

// ConvertQCOW2 writes the raw disk as a compressed qcow2 image, which is
// what KubeVirt and most clouds take; its unused sectors take no room.
func ConvertQCOW2(ctx context.Context, raw, out string) error {
	img, err := hostTool("qemu-img", "qemu-utils")
	if err != nil {
		return err
	}
	return runTool(ctx, img, "convert", "-c", "-f", "raw", "-O", "qcow2", raw, out)
}
