package feed

import "github.com/starlight/dataserver/extract"

// Warm stores streams already extracted elsewhere (by the index, which
// decodes every image anyway) under content id, in the memory cache and the
// disk cache when there is one, so that the first epoch serves them without
// a second decode. Entries already cached are kept as they are. s must be
// what Load would extract for id with this feed's extract options, and must
// not be modified afterwards. Safe for concurrent use.
func (f *Feed) Warm(id string, s *extract.Streams) {
	if s == nil {
		return
	}
	f.warmed.Add(1)
	f.mem.put(cacheKey(id), s)
	if f.disk != nil {
		f.disk.put(id, s) // a failed write only costs a later decode
	}
}
