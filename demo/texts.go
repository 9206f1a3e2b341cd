package demo

// poem is a payload text and the slug that names it in stego file names and
// in seeds/<slug>.md.
type poem struct {
	slug string
	text string
}

// The payload texts, written for this package.
var (
	tidewater = poem{"tidewater", `# Tidewater

The harbour keeps a ledger in the sand,
each wave a line, each line rubbed out by noon.
The gulls are clerks who never understand
why every sum is settled by the moon.

We walked there once with nothing much to say
and counted shells as if they were the years;
the tide came in and carried half away
and left the other half to dry our fears.`}

	lanternField = poem{"lantern_field", `# Lantern Field

At dusk the farmers of the valley hang lanterns on the fence posts, one for
every field that was worked that day. From the ridge they look like a second,
lower sky. Children are told that the lights are counting the wheat, and in a
way they are: a dark post means a field that rested, and a field that rests is
not a failure. In spring the fences glow end to end. In winter only the kitchen
windows burn, and that is enough.`}

	quietEngine = poem{"quiet_engine", `# The Quiet Engine

There is an engine under the city
that nobody remembers starting.
It hums in the pipes at three in the morning,
it warms the stones where the cats sleep,
it turns, patient as a grandmother,
the wheel that lifts the water to the roofs.
No plaque, no switch, no name on the door:
only the steady breath of something
that decided, long ago, to keep going.`}

	smallHours = poem{"small_hours", `# Small Hours

The bakery on Orchard Lane opens its back door at four. Steam rolls into the
alley and the night shift of the world passes through it: a nurse on her way
home, a cyclist with a thermos, a fox that has learned the schedule better than
anyone. Nobody speaks much. The baker hands out the broken loaves, the ones that
would not sell, and the alley smells of bread until the first bus comes and the
ordinary day begins.`}
)
