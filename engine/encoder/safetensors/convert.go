package safetensors

import "math"

// Float16Bits returns the IEEE 754 binary16 encoding of f, rounded to the
// nearest representable value with ties to even. Values too large become
// ±Inf, values too small become (signed) subnormals or zeros, and NaNs stay
// NaN (quiet, sign and leading payload bits kept).
func Float16Bits(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | uint16(mant>>13)
	}
	e := exp - 127 + 15 // biased binary16 exponent
	switch {
	case e >= 0x1f:
		return sign | 0x7c00
	case e <= 0:
		// Subnormal result: the value is m24·2^(exp-150) with the implicit
		// bit restored, and a binary16 subnormal is h·2^-24, so h = m24>>shift.
		shift := uint(14 - e)
		if shift > 24 { // below half the smallest subnormal: rounds to zero
			return sign
		}
		m24 := mant | 0x800000
		h := m24 >> shift
		rem := m24 & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || rem == half && h&1 == 1 {
			h++ // may carry into the smallest normal, which is correct
		}
		return sign | uint16(h)
	}
	h := sign | uint16(e)<<10 | uint16(mant>>13)
	rem := mant & 0x1fff
	if rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
		h++ // a carry out of the mantissa bumps the exponent, up to Inf
	}
	return h
}

// Float16ToFloat32 returns the float32 value of the binary16 encoding h.
// Every binary16 value, subnormals included, is exactly representable.
func Float16ToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0:
		v := float32(mant) * (1.0 / (1 << 24)) // exact: mant < 2^10
		return math.Float32frombits(sign | math.Float32bits(v))
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// BFloat16Bits returns the bfloat16 encoding of f (its upper 16 bits),
// rounded to nearest with ties to even. NaNs stay NaN (quiet).
func BFloat16Bits(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 { // NaN: rounding could carry it into Inf
		return uint16(b>>16) | 0x0040
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// BFloat16ToFloat32 returns the float32 value of the bfloat16 encoding h.
func BFloat16ToFloat32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}
