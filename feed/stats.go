package feed

// Stats are the feed's figures since it was made.
type Stats struct {
	// CacheHits counts images found in a cache (memory or disk), CacheMisses
	// those extracted, DiskHits the hits served by the disk cache.
	CacheHits, CacheMisses, DiskHits uint64
	// CacheBytes and CacheEntries describe the memory cache now.
	CacheBytes   int64
	CacheEntries int
	// DiskBytes and DiskEntries describe the disk cache now (0 without one);
	// DiskCorrupt counts entries found corrupted and removed, DiskReadErrors
	// and DiskWriteErrors the entries that could not be read or written.
	DiskBytes                       int64
	DiskEntries                     int
	DiskCorrupt                     uint64
	DiskReadErrors, DiskWriteErrors uint64
	// ExtractErrors counts images that failed to read or extract.
	ExtractErrors uint64
	// Warmed counts the images whose streams were handed over already
	// extracted (by the index at start-up or reindex, see Warm); CacheMisses
	// counts those extracted on demand, which Extraction times.
	Warmed uint64
	// Extraction summarises the latency of extraction on demand.
	Extraction LatencySummary
	// Budget is the memory budget; BudgetUsed the part of it held now
	// (reservations, batches assembled, queued and being written, memory
	// cache); BudgetRefusals counts streams refused for want of it.
	Budget, BudgetUsed int64
	BudgetRefusals     uint64
}

// Stats returns the current figures.
func (f *Feed) Stats() Stats {
	s := Stats{
		CacheHits: f.hits.Load(), CacheMisses: f.misses.Load(), DiskHits: f.diskHits.Load(),
		ExtractErrors: f.extractErrors.Load(), Warmed: f.warmed.Load(), Extraction: f.lat.summary(), BudgetUsed: f.budget.inUse(),
		Budget: f.budget.max, BudgetRefusals: f.budget.refusals.Load(),
	}
	s.CacheBytes, s.CacheEntries = f.mem.stats()
	if f.disk != nil {
		s.DiskBytes, s.DiskEntries = f.disk.stats()
		s.DiskCorrupt = f.disk.corrupt.Load()
		s.DiskReadErrors, s.DiskWriteErrors = f.disk.readErrors.Load(), f.disk.writeErrors.Load()
	}
	return s
}
