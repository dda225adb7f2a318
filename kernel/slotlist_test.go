package kernel

import (
	"slices"
	"testing"
)

// contents walks l from its head, checking that it ends at its tail.
func contents(t *testing.T, l slotList, next []int32) []int32 {
	t.Helper()
	var got []int32
	last := int32(-1)
	for j := l.head; j >= 0; last, j = j, next[j] {
		if len(got) > len(next) {
			t.Fatalf("the list loops: %v", got)
		}
		got = append(got, j)
	}
	if last != l.tail {
		t.Fatalf("list %v ends at %d, its tail is %d", got, last, l.tail)
	}
	return got
}

func TestSlotList(t *testing.T) {
	next := make([]int32, 8)
	l := emptyList
	for _, i := range []int32{3, 1, 5, 7} {
		l.push(next, i)
	}
	l.pushFront(next, 2)
	if got := contents(t, l, next); !slices.Equal(got, []int32{2, 3, 1, 5, 7}) {
		t.Fatalf("after pushes: %v", got)
	}
	for _, tc := range []struct {
		i    int32
		ok   bool
		want []int32
	}{
		{1, true, []int32{2, 3, 5, 7}}, // the middle
		{7, true, []int32{2, 3, 5}},    // the tail
		{2, true, []int32{3, 5}},       // the head
		{4, false, []int32{3, 5}},      // not on it
	} {
		if ok := l.remove(next, tc.i); ok != tc.ok {
			t.Fatalf("remove(%d) = %v", tc.i, ok)
		}
		if got := contents(t, l, next); !slices.Equal(got, tc.want) {
			t.Fatalf("after remove(%d): %v, want %v", tc.i, got, tc.want)
		}
	}
	l.push(next, 6)
	for _, want := range []int32{3, 5, 6, -1} {
		if got := l.pop(next); got != want {
			t.Fatalf("pop = %d, want %d", got, want)
		}
	}
	if l != emptyList {
		t.Fatalf("emptied list %+v", l)
	}
	l.pushFront(next, 4)
	if got := contents(t, l, next); !slices.Equal(got, []int32{4}) {
		t.Fatalf("pushFront on an empty list: %v", got)
	}
}
