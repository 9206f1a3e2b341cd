package sampling

import (
	"slices"
	"sync"

	"github.com/starlight/dataserver/index"
)

// pairCache holds what pairing derives from a Pools, built on first use:
// each accepted stego's cover, the pair units of each grouping, and the
// batch layouts of the last few pair schedules.
type pairCache struct {
	once     sync.Once
	coverOf  []int // parallel to kind[KindStego]: the cover's sample index, or -1
	unpaired int

	mu      sync.Mutex
	units   map[unitKey]*pairUnits
	layouts []*pairLayout // most recently used last
}

// unitKey selects a grouping of stegos into pair units.
type unitKey struct {
	k       int
	byClass bool
}

// pairUnit is a cover and up to k of its stegos (sample indices).
type pairUnit struct {
	cover  int
	stegos []int
}

// size returns the number of samples of the unit.
func (u pairUnit) size() int { return 1 + len(u.stegos) }

// pairUnits are the pair units of one grouping, in a fixed order: by cover
// (clean pool order), then by class when grouped by class, then chunk.
type pairUnits struct {
	units []pairUnit
	// all lists every unit index; byClass lists them per technique class
	// (classes ascending) when the grouping is by class.
	all     []int
	classes []int
	byClass [][]int
	maxSize int
}

// maxCachedLayouts bounds the pair layouts kept per Pools (each is O(batches)).
const maxCachedLayouts = 16

// UnpairedStegos returns how many accepted stego samples have no served
// cover (none named, not indexed, not accepted, or another content than the
// sidecar names): pairing leaves them out.
func (p *Pools) UnpairedStegos() int {
	if p == nil {
		return 0
	}
	p.linkCovers()
	return p.pairs.unpaired
}

// linkCovers finds each accepted stego's cover among the served clean samples.
func (p *Pools) linkCovers() {
	c := &p.pairs
	c.once.Do(func() {
		byPath := make(map[string]int, len(p.kind[index.KindClean]))
		for _, i := range p.kind[index.KindClean] {
			byPath[p.samples[i].Path] = i
		}
		stegos := p.kind[index.KindStego]
		c.coverOf = make([]int, len(stegos))
		for j, i := range stegos {
			s := &p.samples[i]
			cov, ok := byPath[s.CoverPath]
			if !ok || s.CoverPath == "" || (s.CoverID != "" && p.samples[cov].ID != s.CoverID) {
				c.coverOf[j] = -1
				c.unpaired++
				continue
			}
			c.coverOf[j] = cov
		}
	})
}

// pairUnitsOf returns the pair units of grouping key, building them once.
func (p *Pools) pairUnitsOf(key unitKey) *pairUnits {
	p.linkCovers()
	c := &p.pairs
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.units[key]; ok {
		return u
	}
	u := p.buildUnits(key)
	if c.units == nil {
		c.units = map[unitKey]*pairUnits{}
	}
	c.units[key] = u
	return u
}

// buildUnits groups the paired stegos by cover (and class), in pool order,
// and cuts each group into units of at most key.k stegos.
func (p *Pools) buildUnits(key unitKey) *pairUnits {
	groups := map[int][]int{}
	for j, i := range p.kind[index.KindStego] {
		if cov := p.pairs.coverOf[j]; cov >= 0 {
			groups[cov] = append(groups[cov], i)
		}
	}
	out := &pairUnits{}
	add := func(cov int, stegos []int) {
		for len(stegos) > 0 {
			n := min(key.k, len(stegos))
			u := pairUnit{cover: cov, stegos: stegos[:n:n]}
			out.units = append(out.units, u)
			out.maxSize = max(out.maxSize, u.size())
			stegos = stegos[n:]
		}
	}
	for _, cov := range p.kind[index.KindClean] {
		g := groups[cov]
		if len(g) == 0 {
			continue
		}
		if !key.byClass {
			add(cov, g)
			continue
		}
		byClass := slices.Clone(g)
		slices.SortStableFunc(byClass, func(a, b int) int { return p.samples[a].Class - p.samples[b].Class })
		for len(byClass) > 0 {
			c := p.samples[byClass[0]].Class
			n := 1
			for n < len(byClass) && p.samples[byClass[n]].Class == c {
				n++
			}
			add(cov, byClass[:n])
			byClass = byClass[n:]
		}
	}
	out.all = make([]int, len(out.units))
	for i := range out.all {
		out.all[i] = i
	}
	if key.byClass {
		for i, u := range out.units {
			c := p.samples[u.stegos[0]].Class
			at, found := slices.BinarySearch(out.classes, c)
			if !found {
				out.classes = slices.Insert(out.classes, at, c)
				out.byClass = slices.Insert(out.byClass, at, nil)
			}
			out.byClass[at] = append(out.byClass[at], i)
		}
	}
	return out
}

// cachedLayout returns the cached layout equal to key, or nil.
func (p *Pools) cachedLayout(key layoutKey) *pairLayout {
	c := &p.pairs
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, l := range c.layouts {
		if l.key == key {
			c.layouts = append(slices.Delete(c.layouts, i, i+1), l)
			return l
		}
	}
	return nil
}

// keepLayout caches l, dropping the least recently used beyond maxCachedLayouts.
func (p *Pools) keepLayout(l *pairLayout) {
	c := &p.pairs
	c.mu.Lock()
	defer c.mu.Unlock()
	c.layouts = append(c.layouts, l)
	if len(c.layouts) > maxCachedLayouts {
		c.layouts = slices.Delete(c.layouts, 0, 1)
	}
}
