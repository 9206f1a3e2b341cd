// Package feedback keeps the training losses runs report per sample and
// freezes them into the loss tables hard-sample mining draws by. Per run it
// holds a running summary of every sample reported (an exponential moving
// average of the loss, the number of reports, the last epoch, and an
// average of the predicted probability when given), persisted in a bbolt
// file so it survives a crash or a restart; the number of runs and their age
// are bounded by options, the samples of a run by the snapshot (only served
// content ids are recorded). A run's summary frozen for an epoch is an
// immutable, content-addressed sampling.LossTable, recorded under (run,
// epoch) so every later stream and every resume of that epoch draws by the
// same table.
package feedback
