package ether

import (
	"math/rand/v2"
	"testing"
)

// naive is RFC 1071's definition, word by word with end-around carry.
func naive(b []byte) uint16 {
	var s uint32
	for i := 0; i < len(b); i += 2 {
		w := uint32(b[i]) << 8
		if i+1 < len(b) {
			w |= uint32(b[i+1])
		}
		s += w
		s = s&0xFFFF + s>>16
	}
	return uint16(s)
}

func TestSumAgainstDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 80 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if got, want := Fold(Sum(b, 0)), naive(b); got != want {
			t.Errorf("%d bytes: Fold(Sum) = %#x, want %#x", n, got, want)
		}
	}
	// Ones' complement: a sum of 0xffff's is 0xffff, never 0.
	if got := Fold(Sum([]byte{0xff, 0xff, 0xff, 0xff}, 0)); got != 0xffff {
		t.Errorf("all ones fold to %#x", got)
	}
	if got := Fold(Sum([]byte{0x12, 0x34}, 0xffff)); got != 0x1234 {
		t.Errorf("carry: %#x, want 0x1234", got)
	}
}

// Pieces of any length, odd ones included, sum as the whole stream does.
func TestSummerPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 1501)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	want := naive(b)
	for range 50 {
		var s Summer
		for rest := b; len(rest) > 0; {
			k := min(len(rest), rng.IntN(20))
			s.Add(rest[:k])
			rest = rest[k:]
		}
		if got := s.Fold(); got != want {
			t.Fatalf("pieces sum to %#x, want %#x", got, want)
		}
	}
}
