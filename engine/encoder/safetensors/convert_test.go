package safetensors

import (
	"math"
	"testing"
)

func TestFloat16BitsKnown(t *testing.T) {
	p := func(e int) float32 { return float32(math.Ldexp(1, e)) }
	cases := []struct {
		name string
		f    float32
		want uint16
	}{
		{"one", 1, 0x3c00},
		{"minus two", -2, 0xc000},
		{"max", 65504, 0x7bff},
		{"just below max tie", 65519.996, 0x7bff},
		{"max tie rounds to even = inf", 65520, 0x7c00},
		{"smallest subnormal", p(-24), 0x0001},
		{"half smallest subnormal ties to zero", p(-25), 0x0000},
		{"just above half smallest subnormal", p(-25) * 1.0001, 0x0001},
		{"1.5 subnormal ties to even 2", 3 * p(-25), 0x0002},
		{"largest subnormal", 1023 * p(-24), 0x03ff},
		{"subnormal carry into smallest normal", 2047 * p(-25), 0x0400},
		{"smallest normal", p(-14), 0x0400},
		{"float32 subnormal", math.Float32frombits(1), 0x0000},
		{"negative zero", float32(math.Copysign(0, -1)), 0x8000},
		{"inf", float32(math.Inf(1)), 0x7c00},
		{"-inf", float32(math.Inf(-1)), 0xfc00},
		{"1+2^-11 ties to even 1", 1 + p(-11), 0x3c00},
		{"1+3·2^-11 ties to even 1+2^-9", 1 + 3*p(-11), 0x3c02},
		{"1+2^-11+tiny rounds up", 1 + p(-11) + p(-20), 0x3c01},
		{"huge", 1e10, 0x7c00},
	}
	for _, c := range cases {
		if got := Float16Bits(c.f); got != c.want {
			t.Errorf("%s: Float16Bits(%g) = %#04x, want %#04x", c.name, c.f, got, c.want)
		}
	}
	for _, f := range []float32{float32(math.NaN()), math.Float32frombits(0xff800001)} {
		h := Float16Bits(f)
		if h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
			t.Errorf("Float16Bits(NaN %#08x) = %#04x, not a NaN", math.Float32bits(f), h)
		}
		if h>>15 != uint16(math.Float32bits(f)>>31) {
			t.Errorf("Float16Bits(NaN %#08x) = %#04x lost the sign", math.Float32bits(f), h)
		}
	}
}

func TestFloat16ToFloat32Known(t *testing.T) {
	cases := map[uint16]float32{
		0x3c00: 1, 0x7bff: 65504, 0x0001: float32(math.Ldexp(1, -24)), 0x03ff: float32(1023 * math.Ldexp(1, -24)),
		0x0400: float32(math.Ldexp(1, -14)), 0xc000: -2, 0x3555: 0.333251953125,
		0x7c00: float32(math.Inf(1)), 0xfc00: float32(math.Inf(-1)),
	}
	for h, want := range cases {
		if got := Float16ToFloat32(h); got != want {
			t.Errorf("Float16ToFloat32(%#04x) = %g, want %g", h, got, want)
		}
	}
	if got := Float16ToFloat32(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("Float16ToFloat32(0x8000) = %g, want -0", got)
	}
	if got := Float16ToFloat32(0x7e00); !math.IsNaN(float64(got)) {
		t.Errorf("Float16ToFloat32(0x7e00) = %g, want NaN", got)
	}
}

// TestFloat16Exhaustive checks every binary16 value: decoding then encoding
// gives it back, and float32 values around the midpoint to each neighbour
// round to the nearer one (ties to even).
func TestFloat16Exhaustive(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := Float16ToFloat32(uint16(h))
		back := Float16Bits(f)
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 { // NaN: comes back quiet, same sign
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 || back&0x8000 != uint16(h)&0x8000 {
				t.Fatalf("NaN %#04x came back as %#04x", h, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Fatalf("%#04x -> %g -> %#04x", h, f, back)
		}
	}
	// Midpoints between finite positive neighbours a=h and b=h+1 (rounding
	// past the largest finite value is in TestFloat16BitsKnown).
	for h := uint16(0); h < 0x7bff; h++ {
		a, b := Float16ToFloat32(h), Float16ToFloat32(h+1)
		mid := float32((float64(a) + float64(b)) / 2) // exact in float32
		even := h
		if h&1 == 1 {
			even = h + 1
		}
		below := math.Nextafter32(mid, a)
		above := math.Nextafter32(mid, b)
		for _, c := range []struct {
			f    float32
			want uint16
		}{{mid, even}, {below, h}, {above, h + 1}} {
			if got := Float16Bits(c.f); got != c.want {
				t.Fatalf("between %#04x and %#04x: Float16Bits(%g) = %#04x, want %#04x", h, h+1, c.f, got, c.want)
			}
			if got := Float16Bits(-c.f); got != c.want|0x8000 {
				t.Fatalf("Float16Bits(%g) = %#04x, want %#04x", -c.f, got, c.want|0x8000)
			}
		}
	}
}

func TestBFloat16(t *testing.T) {
	cases := []struct {
		bits uint32
		want uint16
	}{
		{0x3f800000, 0x3f80},                // 1.0
		{0x3f808000, 0x3f80},                // tie, even stays
		{0x3f818000, 0x3f82},                // tie, odd rounds up
		{0x3f808001, 0x3f81},                // above the tie
		{0x3f807fff, 0x3f80},                // below the tie
		{0x80000000, 0x8000},                // -0
		{0x7f800000, 0x7f80},                // inf
		{0xff800000, 0xff80},                // -inf
		{0x7f7fffff, 0x7f80},                // max float32 rounds to inf
		{0x00000001, 0x0000},                // tiny subnormal to zero
		{0x00018000, 0x0002},                // subnormal tie to even
		{math.Float32bits(-2.5), 0xc020},    // exact
		{math.Float32bits(0.1), 0x3dcd},     // 0x3dcccccd rounds up
		{math.Float32bits(3.14159), 0x4049}, // 0x40490fd0 rounds down
	}
	for _, c := range cases {
		if got := BFloat16Bits(math.Float32frombits(c.bits)); got != c.want {
			t.Errorf("BFloat16Bits(%#08x) = %#04x, want %#04x", c.bits, got, c.want)
		}
	}
	// NaNs whose rounding would carry into the exponent stay NaN.
	for _, bits := range []uint32{0x7fc00000, 0x7f800001, 0x7fffffff, 0xffffffff} {
		h := BFloat16Bits(math.Float32frombits(bits))
		if !math.IsNaN(float64(BFloat16ToFloat32(h))) || h>>15 != uint16(bits>>31) {
			t.Errorf("BFloat16Bits(NaN %#08x) = %#04x", bits, h)
		}
	}
	for h := 0; h < 1<<16; h++ {
		f := BFloat16ToFloat32(uint16(h))
		if math.IsNaN(float64(f)) {
			continue
		}
		if back := BFloat16Bits(f); back != uint16(h) {
			t.Fatalf("%#04x -> %g -> %#04x", h, f, back)
		}
	}
}
