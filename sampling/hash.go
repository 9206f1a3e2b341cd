package sampling

// mix64 is the splitmix64 finalizer: a fast bijective scrambler of 64 bits.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// golden is 2^64 divided by the golden ratio, an odd constant used to spread keys.
const golden = 0x9e3779b97f4a7c15

// absorb folds words into a 64-bit key; different sequences give unrelated keys.
func absorb(words ...uint64) uint64 {
	h := uint64(0x5a4d1e0b3c2f8a71)
	for _, w := range words {
		h = mix64(h^w) + golden
	}
	return h
}
