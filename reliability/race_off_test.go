//go:build !race

package reliability

// raceEnabled is true when the tests run under the race detector; the
// server binary is then built with -race too.
const raceEnabled = false
