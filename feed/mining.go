package feed

import (
	"fmt"

	"github.com/starlight/dataserver/sampling"
)

// LossTables are the frozen loss tables mined schedules draw by (a
// feedback.Store).
type LossTables interface {
	// Freeze returns run's table for epoch, frozen the first time it is asked for.
	Freeze(run string, epoch uint64) (*sampling.LossTable, error)
	// Table returns run's frozen table id (nil for ""), or an error when it
	// is not held.
	Table(run, id string) (*sampling.LossTable, error)
}

// Schedule returns the schedule of p over pools as a replay rebuilds it:
// with mining, p.Mining.State names the frozen table the epoch drew by (""
// for none), which must still be held.
func (f *Feed) Schedule(pools *sampling.Pools, p sampling.Params) (*sampling.Schedule, error) {
	return f.schedule(pools, p, true)
}

// schedule returns the schedule of p over pools. A mined epoch draws by
// p.Mining.State's table when resumed (a cursor of that epoch named it),
// else by the run's table frozen for the epoch.
func (f *Feed) schedule(pools *sampling.Pools, p sampling.Params, resumed bool) (*sampling.Schedule, error) {
	m := p.Mining
	if !m.Enabled() || p.Evaluation || p.Epoch < m.FirstEpoch {
		return sampling.New(pools, stateless(p))
	}
	if f.cfg.Losses == nil {
		return nil, fmt.Errorf("%w: mining asked for, but this server keeps no loss feedback", ErrInvalid)
	}
	var (
		table *sampling.LossTable
		err   error
	)
	if resumed {
		table, err = f.cfg.Losses.Table(m.Run, m.State)
	} else {
		table, err = f.cfg.Losses.Freeze(m.Run, p.Epoch)
	}
	if err != nil {
		return nil, err
	}
	return sampling.NewMined(pools, p, table)
}

// stateless returns p without a mining state: for the schedule's shape
// (batches per epoch, validation), which the state does not change.
func stateless(p sampling.Params) sampling.Params {
	p.Mining.State = ""
	return p
}
