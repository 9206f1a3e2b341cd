package feed

import "time"

// Bounds of the consumer table: at most DefaultMaxConsumers names are
// tallied apart, later ones together under OtherConsumer; a consumer with
// no stream running for DefaultConsumerIdle is forgotten.
const (
	DefaultMaxConsumers = 256
	DefaultConsumerIdle = time.Hour
	// OtherConsumer is the bucket of the consumers beyond the cap.
	OtherConsumer = "other"
)

// bucket returns the entry name is tallied under: its own while the table
// has room (after forgetting idle entries), else OtherConsumer. mu must be
// held.
func (cs *Consumers) bucket(name string) string {
	if _, ok := cs.all[name]; ok {
		return name
	}
	cs.expire()
	max := cs.Max
	if max <= 0 {
		max = DefaultMaxConsumers
	}
	named := len(cs.all)
	if _, ok := cs.all[OtherConsumer]; ok {
		named--
	}
	// One entry stays free for the bucket itself.
	if named < max-1 || name == OtherConsumer {
		return name
	}
	return OtherConsumer
}

// expire forgets the consumers idle for longer than the idle bound and
// calls OnForget for each. mu must be held.
func (cs *Consumers) expire() {
	idle := cs.Idle
	if idle <= 0 {
		idle = DefaultConsumerIdle
	}
	now := cs.now()
	for name, c := range cs.all {
		if c.ActiveStreams <= 0 && now.Sub(c.last) > idle {
			delete(cs.all, name)
			if cs.OnForget != nil {
				cs.OnForget(name)
			}
		}
	}
}

func (cs *Consumers) now() time.Time {
	if cs.clock != nil {
		return cs.clock()
	}
	return time.Now()
}
