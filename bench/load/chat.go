package load

import (
	"math/rand/v2"
	"strings"
)

// ChatContent is the content of throughput message i: a few sentences of
// ordinary chat, 400–540 characters, so that a MESSAGE_CREATE is about
// 1 KB. Each message has its own words, as a busy channel's messages do:
// over a zlib-stream connection they compress about as real chat does,
// where one message repeated deflates to almost nothing and flatters a
// compressed transport. It is never a command (the handler reads it and
// ignores it), is plain ASCII, and is the same for the same i in every
// run and for every peer.
func ChatContent(i int) string {
	rng := rand.New(rand.NewPCG(uint64(i), 0x6368617463686174))
	target := 400 + rng.IntN(100)
	var b strings.Builder
	b.Grow(target + 48)
	for b.Len() <= target { // ≥ target once the last space is trimmed
		n := 4 + rng.IntN(9) // words in this sentence
		for w := range n {
			word := chatWords[rng.IntN(len(chatWords))]
			if rng.IntN(14) == 0 {
				word = numberWord(rng)
			}
			if w == 0 {
				b.WriteString(strings.ToUpper(word[:1]))
				b.WriteString(word[1:])
			} else {
				b.WriteByte(' ')
				b.WriteString(word)
			}
		}
		b.WriteString(chatEnds[rng.IntN(len(chatEnds))])
		b.WriteByte(' ')
	}
	return strings.TrimRight(b.String(), " ")
}

func numberWord(rng *rand.Rand) string {
	const digits = "0123456789"
	n := 1 + rng.IntN(4)
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[rng.IntN(10)]
	}
	return string(b)
}

var chatEnds = []string{".", ".", ".", "?", "!", "...", " :)", " lol"}

// chatWords are common English words, most frequent first in spirit if
// not in order; enough of them that a message rarely repeats another's
// phrases.
var chatWords = strings.Fields(`
the be to of and a in that have it for not on with he as you do at this but his by
from they we say her she or an will my one all would there their what so up out if
about who get which go me when make can like time no just him know take people into
year your good some could them see other than then now look only come its over think
also back after use two how our work first well way even new want because any these
give day most us is was are been has had were said did got made went came saw knew
tonight tomorrow yesterday game server channel bot message anyone someone everyone
here really maybe probably actually pretty thing things stuff idea plan update patch
build test tests code bug bugs fix fixed broken works working slow fast lag ping
queue match team play played playing win won lose lost rank ranked map maps round
stream video music song songs movie watch watched read reading book week weekend
morning night later soon again still already never always sometimes usually often
thanks thank please sorry sure okay yeah yes nope hey hello hi bye gg nice cool
great awesome weird funny wrong right left big small long short high low old young
`)
