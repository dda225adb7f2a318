package pagetable

// Map maps the size-byte page at va (4 KiB, 2 MiB, or 1 GiB if Allow1G) to
// pa. It replaces whatever maps va at that size or larger: a huge page in
// the way is split first so the rest of it stays mapped. A table of
// smaller pages in the way is left alone and ErrExists returned. Present is
// implied; Huge is ignored (size decides). On error nothing changes.
// Context: kernel (no allocation, no pointer stores).
func (t *Tables) Map(va, pa, size uint64, flags Flags) error {
	level, err := t.checkMap(va, pa, size, flags)
	if err != nil {
		return err
	}
	return t.mapAt(va, pa, level, flags)
}

func (t *Tables) checkMap(va, pa, size uint64, flags Flags) (int, error) {
	if !t.ready {
		return 0, ErrNotReady
	}
	level := 0
	switch {
	case size == Size4K:
	case size == Size2M:
		level = 1
	case size == Size1G && t.Allow1G:
		level = 2
	default:
		return 0, ErrSize
	}
	if flags&^(leafFlags|Huge) != 0 {
		return 0, ErrFlags
	}
	if !Canonical(va) {
		return 0, ErrNonCanonical
	}
	if (va|pa)&(size-1) != 0 {
		return 0, ErrMisaligned
	}
	if pa >= maxPhys {
		return 0, ErrPhysAddr
	}
	return level, nil
}

func (t *Tables) mapAt(va, pa uint64, level int, flags Flags) error {
	tbl, err := t.ensure(va, level)
	if err != nil {
		return err
	}
	e := pa | uint64(flags&leafFlags|Present)
	if level > 0 {
		e |= uint64(Huge)
	}
	tbl[index(va, level)] = e
	return nil
}

// MapRange maps [va, va+length) to [pa, pa+length) with the largest pages
// the alignment of both allows (1 GiB only with Allow1G), replacing what was
// there as Map does. Where smaller pages block a huge one it maps smaller
// pages. On error it unmaps what it mapped, which may leave holes where
// earlier mappings were replaced.
// Context: kernel (no allocation, no pointer stores).
func (t *Tables) MapRange(va, pa, length uint64, flags Flags) error {
	if !t.ready {
		return ErrNotReady
	}
	if flags&^(leafFlags|Huge) != 0 {
		return ErrFlags
	}
	if (va|pa|length)%Size4K != 0 {
		return ErrMisaligned
	}
	if length == 0 {
		return nil
	}
	if length-1 > ^va {
		return ErrRange
	}
	if _, _, _, err := checkRange(va, va+length); err != nil {
		return err
	}
	if pa >= maxPhys || length > maxPhys-pa {
		return ErrPhysAddr
	}
	for off := uint64(0); off < length; {
		cur, cpa, rem := va+off, pa+off, length-off
		level := 0
		if t.Allow1G && (cur|cpa)%Size1G == 0 && rem >= Size1G {
			level = 2
		} else if (cur|cpa)%Size2M == 0 && rem >= Size2M {
			level = 1
		}
		err := t.mapAt(cur, cpa, level, flags)
		for err == ErrExists && level > 0 {
			level--
			err = t.mapAt(cur, cpa, level, flags)
		}
		if err != nil {
			t.UnmapRange(va, cur, nil)
			return err
		}
		off += leafSize(level)
	}
	return nil
}
