package statsabi

import (
	"reflect"
	"testing"
	"unsafe"
)

func TestSize(t *testing.T) {
	if s := unsafe.Sizeof(Counters{}); s != Size {
		t.Fatalf("Counters is %d bytes, Size says %d", s, Size)
	}
}

// TestAllUint64 keeps the layout a flat run of words the kernel can copy
// out and any reader can decode.
func TestAllUint64(t *testing.T) {
	typ := reflect.TypeFor[Counters]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		switch {
		case f.Type.Kind() == reflect.Uint64:
		case f.Type.Kind() == reflect.Array && f.Type.Elem().Kind() == reflect.Uint64 && i == typ.NumField()-1:
		default:
			t.Errorf("field %s is %v: want uint64 (ByNr, an array, last)", f.Name, f.Type)
		}
	}
}
