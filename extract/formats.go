package extract

import (
	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/bmp"
	"github.com/starlight/dataserver/codec/gif"
	"github.com/starlight/dataserver/codec/jpeg"
	"github.com/starlight/dataserver/codec/png"
	"github.com/starlight/dataserver/codec/webp"
)

// decoders maps each format to its exact decoder.
var decoders = map[codec.Format]decoder{
	codec.FormatPNG:  {png.DecodeConfig, png.Decode},
	codec.FormatJPEG: {jpeg.DecodeConfig, jpeg.Decode},
	codec.FormatGIF:  {gif.DecodeConfig, gif.Decode},
	codec.FormatWEBP: {webp.DecodeConfig, webp.Decode},
	codec.FormatBMP:  {bmp.DecodeConfig, bmp.Decode},
}
