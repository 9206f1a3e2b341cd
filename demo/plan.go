package demo

// manifestSchema is how a submission lists its negatives.
type manifestSchema string

// The manifest schemas of SPEC.md, and none (the folder names the category).
const (
	schemaUnified manifestSchema = "unified"
	schemaLegacy  manifestSchema = "legacy"
	schemaNone    manifestSchema = "none"
)

// submissionPlan describes one submission folder.
type submissionPlan struct {
	name string
	// stemSidecars writes x.json beside x.png instead of x.png.json.
	stemSidecars bool
	schema       manifestSchema
	covers       []coverPlan
	stego        []stegoPlan
	negatives    []negativePlan
}

// coverPlan is one clean cover.
type coverPlan struct {
	name string
	form form
	w, h int
}

// stegoPlan is one stego image made from a cover of the same submission.
type stegoPlan struct {
	cover     string
	technique string
	// order is the bit order of lsb.rgb and palette payloads.
	order string
	poem  poem
}

// negativeKind is how a negative is drawn.
type negativeKind int

const (
	negNoise        negativeKind = iota // strong sensor noise over a scene, RGB
	negNoiseGIF                         // the same, dithered to a paletted GIF
	negPlain                            // an ordinary scene, RGB
	negUniformAlpha                     // a scene with one alpha value everywhere
	negPattern                          // tiles of a few colours with constant LSBs
)

// negativePlan is one negative image.
type negativePlan struct {
	// folder is the folder under negatives/ (an old category name in legacy trees).
	folder string
	// category is the category's current name.
	category string
	file     string
	kind     negativeKind
	w, h     int
	// param is the alpha value of a uniform-alpha negative and the constant
	// LSB (0 or 1) of a pattern.
	param int
}

// plans is the whole tree: three submissions, every technique, both sidecar
// namings, both manifest schemas and one tree without a manifest.
var plans = []submissionPlan{
	{
		name:   "aurora_submission_2025",
		schema: schemaUnified,
		covers: []coverPlan{
			{"clean-0001.png", formRGBAPNG, 256, 256},
			{"clean-0002.png", formRGBAPNG, 256, 256},
			{"clean-0003.png", formRGBAPNG, 200, 300},
			{"clean-0004.png", formRGBPNG, 256, 256},
			{"clean-0005.png", formRGBPNG, 256, 256},
			{"clean-0006.png", formRGBPNG, 320, 240},
			{"clean-0007.bmp", formBMP24, 256, 256},
			{"clean-0008.gif", formGIF, 256, 256},
			{"clean-0009.gif", formGIF, 256, 256},
			{"clean-0010.png", formPalettePNG, 256, 256},
			{"clean-0011.jpg", formJPEG, 256, 256},
			{"clean-0012.jpg", formJPEG, 301, 257},
			{"clean-0013.png", formRGBPNG, 128, 128},
		},
		stego: []stegoPlan{
			{"clean-0001.png", "alpha", lsbFirst, tidewater},
			{"clean-0002.png", "alpha", lsbFirst, lanternField},
			{"clean-0003.png", "alpha", lsbFirst, tidewater},
			{"clean-0004.png", "lsb.rgb", msbFirst, tidewater},
			{"clean-0005.png", "lsb.rgb", lsbFirst, lanternField},
			{"clean-0006.png", "lsb.rgb", msbFirst, lanternField},
			{"clean-0007.bmp", "lsb.rgb", lsbFirst, tidewater},
			{"clean-0013.png", "lsb.rgb", msbFirst, tidewater},
			{"clean-0008.gif", "palette", lsbFirst, tidewater},
			{"clean-0009.gif", "palette", msbFirst, lanternField},
			{"clean-0010.png", "palette", lsbFirst, tidewater},
			{"clean-0011.jpg", "exif", "", tidewater},
			{"clean-0012.jpg", "exif", "", lanternField},
			{"clean-0004.png", "exif", "", lanternField},
			{"clean-0005.png", "exif", "", tidewater},
			{"clean-0011.jpg", "raw", "", lanternField},
			{"clean-0004.png", "raw", "", tidewater},
			{"clean-0008.gif", "raw", "", lanternField},
			{"clean-0013.png", "raw", "", lanternField},
		},
		negatives: []negativePlan{
			{"rgb_no_alpha", "rgb_no_alpha", "rgb_no_alpha_0000.png", negPlain, 256, 256, 0},
			{"rgb_no_alpha", "rgb_no_alpha", "rgb_no_alpha_0001.png", negPlain, 128, 128, 0},
			{"uniform_alpha", "uniform_alpha", "uniform_alpha_0000_0.png", negUniformAlpha, 256, 256, 0},
			{"uniform_alpha", "uniform_alpha", "uniform_alpha_0001_128.png", negUniformAlpha, 128, 128, 128},
			{"natural_noise", "natural_noise", "natural_noise_0000.png", negNoise, 256, 256, 0},
			{"natural_noise", "natural_noise", "natural_noise_0001.png", negNoise, 512, 384, 0},
			{"repetitive_patterns", "repetitive_patterns", "pattern_0000.png", negPattern, 256, 256, 0},
			{"repetitive_patterns", "repetitive_patterns", "pattern_0001.png", negPattern, 128, 128, 1},
		},
	},
	{
		name:         "birch_submission_2024",
		stemSidecars: true,
		schema:       schemaLegacy,
		covers: []coverPlan{
			{"cover_a.png", formRGBAPNG, 256, 256},
			{"cover_b.png", formRGBAPNG, 256, 256},
			{"cover_c.png", formRGBPNG, 256, 256},
			{"cover_d.png", formRGBPNG, 256, 256},
			{"cover_e.gif", formGIF, 256, 256},
			{"cover_f.bmp", formBMP8, 256, 256},
			{"cover_g.jpg", formJPEG, 256, 256},
			{"cover_h.jpg", formJPEG, 320, 200},
		},
		stego: []stegoPlan{
			{"cover_a.png", "alpha", lsbFirst, quietEngine},
			{"cover_b.png", "alpha", lsbFirst, quietEngine},
			{"cover_c.png", "lsb.rgb", lsbFirst, quietEngine},
			{"cover_d.png", "lsb.rgb", msbFirst, quietEngine},
			{"cover_e.gif", "palette", msbFirst, quietEngine},
			{"cover_f.bmp", "palette", lsbFirst, quietEngine},
			{"cover_g.jpg", "exif", "", quietEngine},
			{"cover_h.jpg", "raw", "", quietEngine},
			{"cover_e.gif", "raw", "", quietEngine},
		},
		negatives: []negativePlan{
			{"dithered_gif", "natural_noise", "natural_noise_0000.png", negNoise, 256, 256, 0},
			{"dithered_gif", "natural_noise", "dithered_0001.gif", negNoiseGIF, 256, 256, 0},
			{"repetitive_hex", "repetitive_patterns", "pattern_0000.png", negPattern, 256, 256, 0},
			{"repetitive_hex", "repetitive_patterns", "pattern_0001.png", negPattern, 192, 192, 1},
			{"rgb_no_alpha", "rgb_no_alpha", "rgb_no_alpha_0000.png", negPlain, 256, 256, 0},
			{"rgb_no_alpha", "rgb_no_alpha", "rgb_no_alpha_0001.png", negPlain, 300, 200, 0},
			{"uniform_alpha", "uniform_alpha", "uniform_alpha_0000_201.png", negUniformAlpha, 256, 256, 201},
			{"uniform_alpha", "uniform_alpha", "uniform_alpha_0001_0.png", negUniformAlpha, 256, 256, 0},
		},
	},
	{
		name:   "cedar_submission_2025",
		schema: schemaNone,
		covers: []coverPlan{
			{"IMG_1001.png", formRGBAPNG, 256, 256},
			{"IMG_1002.png", formRGBPNG, 256, 256},
			{"IMG_1003.gif", formGIF, 256, 256},
			{"IMG_1004.jpg", formJPEG, 256, 256},
			{"IMG_1005.bmp", formBMP24, 256, 256},
		},
		stego: []stegoPlan{
			{"IMG_1001.png", "alpha", lsbFirst, smallHours},
			{"IMG_1002.png", "lsb.rgb", msbFirst, smallHours},
			{"IMG_1003.gif", "palette", lsbFirst, smallHours},
			{"IMG_1004.jpg", "exif", "", smallHours},
			{"IMG_1005.bmp", "raw", "", smallHours},
		},
		negatives: []negativePlan{
			{"natural_noise", "natural_noise", "noise_a.png", negNoise, 256, 256, 0},
			{"natural_noise", "natural_noise", "noise_b.png", negNoise, 160, 160, 0},
			{"repetitive_patterns", "repetitive_patterns", "tiles_a.png", negPattern, 256, 256, 0},
			{"rgb_no_alpha", "rgb_no_alpha", "plain_a.png", negPlain, 256, 256, 0},
		},
	},
}
