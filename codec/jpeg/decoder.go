package jpeg

import "github.com/starlight/dataserver/codec"

// Colour spaces of the coded data, decided as libjpeg's
// default_decompress_parms does at the first SOS marker.
const (
	csGray = iota
	csYCbCr
	csRGB
	csCMYK
	csYCCK
)

// component is one image component (frame component spec plus all the state
// the decoder keeps for it).
type component struct {
	id     byte
	h, v   int // sampling factors, 1..4
	tq     int // quantisation table selector
	quant  [64]int32
	latch  bool // quant holds the table latched at the first scan using it
	bw, bh int  // width_in_blocks, height_in_blocks (real blocks)
	pbw    int  // blocks per row, padded to whole MCUs
	pbh    int  // block rows, padded to whole MCUs
	dw, dh int  // downsampled_width, downsampled_height in samples

	coef   []int16 // pbw*pbh*64 coefficients (multi-scan files only)
	plane  []byte  // decoded samples, stride pbw*8, pbh*8 rows
	stride int

	pred     int32 // DC predictor
	dcSel    int   // DC table selector for the current scan
	acSel    int   // AC table selector for the current scan
	coefBits [64]int8
}

// tables holds the quantisation and Huffman tables defined so far.
type tables struct {
	q      [4][64]int32 // natural order
	qValid [4]bool
	dc, ac [4]huffTable
}

// decoder holds one decoding of one file.
type decoder struct {
	data []byte
	pos  int
	lim  codec.Limits

	sampleBuf []byte  // backing store of the component planes
	coefBuf   []int16 // backing store of the coefficient arrays

	sawSOF        bool
	progressive   bool
	width, height int
	ncomp         int
	comp          [4]component
	hmax, vmax    int
	mcusX, mcusY  int
	up            [4]upsampler

	tab     *tables // nil when only the header is read
	restart int     // restart interval in MCUs, 0 = none

	sawJFIF, sawAdobe bool
	adobeTransform    byte
	colorSpace        int

	smooth smoothRules // block smoothing release; the zero value is Decode's

	started   bool // the first SOS was seen
	multiScan bool
	scans     int

	// current scan
	scomp          [4]*component
	nscomp         int
	ss, se, ah, al int
	eobrun         int32
	br             bitReader
	nextRST        int
}

// decode runs the whole file: header, every scan, and the IDCT, leaving
// each component's samples in its plane.
func (d *decoder) decode() error {
	if err := d.readHeader(false); err != nil {
		return err
	}
	if err := d.setupFrame(); err != nil {
		return err
	}
	for {
		if err := d.startScan(); err != nil {
			return err
		}
		if err := d.decodeScan(); err != nil {
			return err
		}
		more, err := d.nextScan()
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	if d.multiScan {
		d.finishCoefficients()
	}
	return nil
}

// decodeScan decodes the entropy-coded segment of the current scan.
func (d *decoder) decodeScan() error {
	if !d.progressive {
		return d.sequentialScan()
	}
	return d.progressiveScan()
}
