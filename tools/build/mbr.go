package build

import (
	"encoding/binary"
	"errors"
)

// A Partition is an entry of an MBR partition table, in 512-byte sectors.
type Partition struct {
	Bootable bool
	Type     byte // such as 0xef: an EFI system partition
	Start    uint32
	Sectors  uint32
}

// MBR layout: boot code up to the optional disk signature, four 16-byte
// entries, then the boot signature a BIOS checks.
const (
	sectorSize    = 512
	mbrCodeSize   = 0x1b8
	mbrTable      = 0x1be
	mbrEntrySize  = 16
	mbrSignature  = 0x1fe
	mbrPartitions = 4
)

// writeMBR returns the first sector of a disk: code (at most
// mbrCodeSize bytes, GRUB's boot.img) and the partition table. The CHS
// fields hold the "use LBA" marker: no firmware Warren meets reads them.
func writeMBR(code []byte, parts []Partition) ([]byte, error) {
	if len(parts) > mbrPartitions {
		return nil, errors.New("an MBR holds at most 4 partitions")
	}
	s := make([]byte, sectorSize)
	copy(s, code[:min(len(code), mbrCodeSize)])
	for i, p := range parts {
		e := s[mbrTable+i*mbrEntrySize:]
		if p.Bootable {
			e[0] = 0x80
		}
		copy(e[1:4], []byte{0xfe, 0xff, 0xff})
		e[4] = p.Type
		copy(e[5:8], []byte{0xfe, 0xff, 0xff})
		binary.LittleEndian.PutUint32(e[8:], p.Start)
		binary.LittleEndian.PutUint32(e[12:], p.Sectors)
	}
	s[mbrSignature], s[mbrSignature+1] = 0x55, 0xaa
	return s, nil
}

// ReadMBR returns the used entries of the partition table in a disk's
// first sector.
func ReadMBR(sector []byte) ([]Partition, error) {
	if len(sector) < sectorSize || sector[mbrSignature] != 0x55 || sector[mbrSignature+1] != 0xaa {
		return nil, errors.New("no MBR boot signature (55 aa at byte 510)")
	}
	var parts []Partition
	for i := range mbrPartitions {
		e := sector[mbrTable+i*mbrEntrySize:]
		if e[4] == 0 {
			continue
		}
		parts = append(parts, Partition{
			Bootable: e[0] == 0x80,
			Type:     e[4],
			Start:    binary.LittleEndian.Uint32(e[8:]),
			Sectors:  binary.LittleEndian.Uint32(e[12:]),
		})
	}
	return parts, nil
}
