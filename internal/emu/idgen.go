package emu

import (
	crand "crypto/rand"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
)

// IDGen makes vendor-shaped ids: Prefix followed by Digits hex digits, random or counted.
// A vendor emulator sets its own shape: IDGen{Prefix: "AB"} for "AB" and 32 lower-case hex
// digits, IDGen{Digits: 32, Upper: true} for 32 upper-case ones. Set the fields before first use; IDGen is then safe for
// concurrent use and must not be copied.
type IDGen struct {
	// Prefix starts every id (letters of the vendor's choosing, or empty).
	Prefix string
	// Digits is the number of hex digits after Prefix; 0 means 32.
	Digits int
	// Upper writes A–F instead of a–f.
	Upper bool
	// Seed, if not zero, makes the random digits a deterministic sequence, for tests.
	// Zero means crypto/rand.
	Seed uint64
	// Counter writes a zero-padded counter (1, 2, …) instead of random digits.
	Counter bool

	mu  sync.Mutex
	n   uint64
	rng *rand.Rand
}

// Next returns a new id.
func (g *IDGen) Next() string {
	digits := g.Digits
	if digits <= 0 {
		digits = 32
	}
	var s string
	if g.Counter {
		g.mu.Lock()
		g.n++
		n := g.n
		g.mu.Unlock()
		s = strconv.FormatUint(n, 16)
		if len(s) < digits {
			s = strings.Repeat("0", digits-len(s)) + s
		}
	} else {
		s = hex.EncodeToString(g.randomBytes((digits + 1) / 2))[:digits]
	}
	if g.Upper {
		s = strings.ToUpper(s)
	}
	return g.Prefix + s
}

// UUID returns Prefix followed by a random version-4 UUID ("xxxxxxxx-xxxx-4xxx-yxxx-…"),
// from the same source as Next (seeded or not; Counter is ignored), for vendors whose ids
// are UUIDs (after their prefix).
func (g *IDGen) UUID() string {
	b := g.randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	s := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	if g.Upper {
		s = strings.ToUpper(s)
	}
	return g.Prefix + s
}

func (g *IDGen) randomBytes(n int) []byte {
	b := make([]byte, n)
	if g.Seed == 0 {
		crand.Read(b)
		return b
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.rng == nil {
		g.rng = rand.New(rand.NewPCG(g.Seed, g.Seed^0x9e3779b97f4a7c15))
	}
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return b
}
