package sampling

// The D4 transforms of the square, as numbered on the wire: 0 the identity,
// 1-3 quarter turns counterclockwise, 4-7 a horizontal flip (left-right
// mirror) followed by 0-3 quarter turns counterclockwise.
const (
	// NumTransforms is the number of D4 transforms.
	NumTransforms = 8
	// augmentDomain separates the augmentation keys from the shuffles'.
	augmentDomain = 0x61756720643400 // "aug d4"
)

// TransformOf returns the D4 transform of the unit whose first sample sits
// at global position unit of epoch epoch under seed: a keyed hash, so every
// replica and every resume agrees, and every member of a pair gets the same.
func TransformOf(seed, epoch, unit uint64) uint8 {
	return uint8(absorb(augmentDomain, seed, epoch, unit) % NumTransforms)
}
