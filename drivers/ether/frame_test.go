package ether

import (
	"bytes"
	"testing"
)

func TestFrameLenAndCopy(t *testing.T) {
	f := Frame{Data: [][]byte{[]byte("head"), nil, []byte("er and body")}}
	if f.Len() != 15 {
		t.Errorf("Len = %d, want 15", f.Len())
	}
	dst := make([]byte, 20)
	if n := f.CopyTo(dst); n != 15 || !bytes.Equal(dst[:n], []byte("header and body")) {
		t.Errorf("CopyTo = %d %q", n, dst[:n])
	}
	short := make([]byte, 6)
	if n := f.CopyTo(short); n != 6 || string(short) != "header" {
		t.Errorf("CopyTo into 6 bytes = %d %q", n, short)
	}
}

func TestFeaturesHas(t *testing.T) {
	f := FeatureTXCsum | FeatureTSO4
	if !f.Has(FeatureTXCsum) || !f.Has(FeatureTXCsum|FeatureTSO4) || f.Has(FeatureTSO4|FeatureTSO6) || f.Has(FeatureRXCsum) {
		t.Errorf("Has is wrong for %#x", f)
	}
}
