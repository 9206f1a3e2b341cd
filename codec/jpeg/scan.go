package jpeg

import (
	"fmt"

	"github.com/starlight/dataserver/codec"
)

// maxBlocksInMCU is libjpeg's D_MAX_BLOCKS_IN_MCU for interleaved scans.
const maxBlocksInMCU = 10

// startScan parses the SOS segment at d.pos and prepares the scan: the
// components and their tables, the latched quantisation tables, the
// progressive parameters and the bit reader.
func (d *decoder) startScan() error {
	d.scans++
	if d.scans > maxScans {
		return fmt.Errorf("%w: jpeg: more than %d scans", codec.ErrTooLarge, maxScans)
	}
	seg, err := d.segment("SOS")
	if err != nil {
		return err
	}
	if len(seg) < 1 {
		return errFormat("empty SOS segment")
	}
	n := int(seg[0])
	if n < 1 || n > 4 || len(seg) != 4+2*n {
		return errFormat("SOS segment for %d components has length %d", n, len(seg)+2)
	}
	var used [4]bool
	for i := 0; i < n; i++ {
		id, sel := seg[1+2*i], seg[2+2*i]
		ci := -1
		for k := 0; k < d.ncomp; k++ {
			if d.comp[k].id == id && !used[k] {
				ci = k
				break
			}
		}
		if ci < 0 {
			return errFormat("scan names unknown component id %d", id)
		}
		used[ci] = true
		c := &d.comp[ci]
		c.dcSel, c.acSel = int(sel>>4), int(sel&15)
		d.scomp[i] = c
	}
	d.nscomp = n
	p := seg[1+2*n:]
	d.ss, d.se, d.ah, d.al = int(p[0]), int(p[1]), int(p[2]>>4), int(p[2]&15)

	if d.scans == 1 {
		d.multiScan = d.progressive || n < d.ncomp
		if err := d.allocate(); err != nil {
			return err
		}
	}
	if n > 1 {
		blocks := 0
		for i := 0; i < n; i++ {
			blocks += d.scomp[i].h * d.scomp[i].v
		}
		if blocks > maxBlocksInMCU {
			return errFormat("interleaved scan has %d blocks per MCU (at most %d)", blocks, maxBlocksInMCU)
		}
	}
	for i := 0; i < n; i++ {
		c := d.scomp[i]
		if c.latch {
			continue
		}
		if c.tq >= 4 || !d.tab.qValid[c.tq] {
			return errFormat("component %d uses undefined quantisation table %d", c.id, c.tq)
		}
		c.quant = d.tab.q[c.tq]
		c.latch = true
	}
	if d.progressive {
		if err := d.startProgressive(); err != nil {
			return err
		}
	} else {
		for i := 0; i < n; i++ {
			c := d.scomp[i]
			if _, err := d.tableFor(true, c.dcSel); err != nil {
				return err
			}
			if _, err := d.tableFor(false, c.acSel); err != nil {
				return err
			}
		}
	}
	for i := 0; i < n; i++ {
		d.scomp[i].pred = 0
	}
	d.eobrun = 0
	d.nextRST = 0
	d.br.reset(d.data, d.pos)
	return nil
}

// startProgressive validates the spectral selection and successive
// approximation parameters of a progressive scan, records which bits of
// which coefficients are now known (libjpeg's coef_bits) and prepares the
// Huffman tables the scan uses.
func (d *decoder) startProgressive() error {
	bad := false
	if d.ss == 0 {
		bad = d.se != 0
	} else {
		bad = d.ss > d.se || d.se > 63 || d.nscomp != 1
	}
	if d.ah != 0 && d.al != d.ah-1 {
		bad = true
	}
	if d.al > 13 {
		bad = true
	}
	if bad {
		return errFormat("invalid progressive scan Ss=%d Se=%d Ah=%d Al=%d", d.ss, d.se, d.ah, d.al)
	}
	for i := 0; i < d.nscomp; i++ {
		c := d.scomp[i]
		for k := d.ss; k <= d.se; k++ {
			c.coefBits[k] = int8(d.al)
		}
		switch {
		case d.ss == 0 && d.ah == 0:
			if _, err := d.tableFor(true, c.dcSel); err != nil {
				return err
			}
		case d.ss != 0:
			if _, err := d.tableFor(false, c.acSel); err != nil {
				return err
			}
		}
	}
	return nil
}

// processRestart handles the restart marker expected between two restart
// intervals: it discards the buffered bits, checks the RSTn marker and
// resets the predictors.
func (d *decoder) processRestart() error {
	if d.br.overrun() {
		return errTruncated("restart interval")
	}
	d.pos = d.br.pos
	m, ok := d.nextMarker()
	if !ok {
		return errTruncated("scan (missing restart marker)")
	}
	if m != byte(mRST0+d.nextRST) {
		return errFormat("expected restart marker RST%d, found 0xFF%02X", d.nextRST, m)
	}
	d.nextRST = (d.nextRST + 1) & 7
	d.br.reset(d.data, d.pos)
	for i := 0; i < d.nscomp; i++ {
		d.scomp[i].pred = 0
	}
	d.eobrun = 0
	return nil
}

// nextScan processes the markers after a scan. It reports true at the next
// SOS marker (d.pos just after it) and false at EOI or, for a single-scan
// file, at the end of the data.
func (d *decoder) nextScan() (bool, error) {
	if d.br.overrun() {
		return false, errTruncated("scan")
	}
	d.pos = d.br.pos
	for {
		m, ok := d.nextMarker()
		if !ok {
			if d.multiScan {
				return false, errTruncated("file (no EOI marker after the last scan)")
			}
			return false, nil
		}
		switch {
		case m == mSOS:
			if !d.multiScan {
				return false, errFormat("second scan in a file whose first scan held every component")
			}
			return true, nil
		case m == mEOI:
			return false, nil
		case m == mSOI:
			return false, errFormat("SOI marker inside the image")
		case m >= 0xC0 && m <= 0xCF && m != mDHT && m != mDAC:
			return false, errFormat("second frame header (SOF%d)", m-0xC0)
		default:
			if err := d.tableMarker(m); err != nil {
				return false, err
			}
		}
	}
}
