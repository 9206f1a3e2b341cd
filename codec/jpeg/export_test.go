package jpeg

import "github.com/starlight/dataserver/codec"

// DecodeTurbo301 decodes like Decode but with libjpeg-turbo 3.0.1's block
// smoothing rules, so that tests can check both releases against their own
// reference decodings. It exists only in test builds.
func DecodeTurbo301(data []byte, lim codec.Limits) (*codec.Image, error) {
	return decode(data, lim, smoothTurbo301)
}
