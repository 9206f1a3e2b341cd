// Package sampling computes the batch schedule: a pure function of
// (snapshot, seed, epoch, mix, rank, world) that orders weighted, shuffled
// pools of samples into equal-sized per-rank batches, and the cursors that
// resume a schedule right after a batch.
package sampling
