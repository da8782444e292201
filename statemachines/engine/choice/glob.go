package choice

import (
	"errors"
	"strings"
)

// globToken is a literal run or a '*' wildcard of a StringMatches pattern.
type globToken struct {
	star bool
	lit  string
}

// compileGlob parses a StringMatches pattern: '*' matches any run of characters and a backslash
// makes the next character literal ("\*" is an asterisk, "\\" a backslash); a pattern ending
// in a lone backslash is invalid.
func compileGlob(p string) ([]globToken, error) {
	var toks []globToken
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			toks = append(toks, globToken{lit: b.String()})
			b.Reset()
		}
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\\':
			if i+1 >= len(p) {
				return nil, errors.New("the pattern ends with an unescaped backslash")
			}
			b.WriteByte(p[i+1])
			i++
		case '*':
			flush()
			if len(toks) == 0 || !toks[len(toks)-1].star {
				toks = append(toks, globToken{star: true})
			}
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return toks, nil
}

// matchGlob matches s against the tokens with the classic greedy-with-backtrack algorithm:
// linear in practice, and without the exponential blow-up of naive recursion.
func matchGlob(toks []globToken, s string) bool {
	ti, si := 0, 0
	starTok, starPos := -1, 0
	for {
		if ti < len(toks) {
			t := toks[ti]
			if t.star {
				starTok, starPos = ti, si
				ti++
				continue
			}
			if strings.HasPrefix(s[si:], t.lit) {
				si += len(t.lit)
				ti++
				continue
			}
		} else if si == len(s) {
			return true
		}
		if starTok < 0 || starPos >= len(s) {
			return false
		}
		// Let the last '*' swallow one more byte and retry from there.
		starPos++
		si = starPos
		ti = starTok + 1
	}
}
