package kernel

import "testing"

// TestInheritFDs: a vfork child gets the parent's descriptors, sharing
// their open file descriptions; execve closes the close-on-exec ones and
// only those, and a description lives while either table holds it.
func TestInheritFDs(t *testing.T) {
	const parent, child = 3, 4
	limits[parent], limits[child] = limitDefaults, limitDefaults
	clearFDs(parent)
	clearFDs(child)
	t.Cleanup(func() { closeAllFDs(parent); closeAllFDs(child) })
	a, _ := newFile(kindNull, 0, 0)
	b, _ := newFile(kindZero, 0, 0)
	if _, e := installFDIn(parent, a, 0, false); e != 0 {
		t.Fatal(e)
	}
	if _, e := installFDIn(parent, b, 5, true); e != 0 {
		t.Fatal(e)
	}
	inheritFDs(child, parent)
	c0, _ := fdTables[child].File(0)
	c5, _ := fdTables[child].File(5)
	if c0 != a || fdTables[child].CloseOnExec(0) || c5 != b || !fdTables[child].CloseOnExec(5) {
		t.Fatalf("child's fds 0, 5: %d (cloexec %v), %d (cloexec %v)", c0, fdTables[child].CloseOnExec(0), c5, fdTables[child].CloseOnExec(5))
	}
	if openFiles[a].refs != 2 || openFiles[b].refs != 2 {
		t.Fatalf("refs %d, %d; want 2, 2", openFiles[a].refs, openFiles[b].refs)
	}
	closeOnExec(child)
	c0, _ = fdTables[child].File(0)
	if _, e := fdTables[child].File(5); c0 != a || e == 0 || openFiles[b].refs != 1 {
		t.Errorf("after closeOnExec: fd 0 %d, fd 5 %v, refs of b %d", c0, e, openFiles[b].refs)
	}
	closeAllFDs(parent)
	if openFiles[a].refs != 1 || openFiles[a].kind != kindNull || openFiles[b].refs != 0 {
		t.Errorf("after the parent closes: refs %d (kind %d), %d", openFiles[a].refs, openFiles[a].kind, openFiles[b].refs)
	}
}
