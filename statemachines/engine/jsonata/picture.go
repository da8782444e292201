package jsonata

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file implements the XPath F&O picture strings JSONata uses: $formatNumber's decimal
// pictures ("#,##0.00"), and the integer and date-time pictures of $formatInteger,
// $parseInteger and $now/$fromMillis/$toMillis ("[Y0001]-[M01]-[D01]"): decimal digit patterns
// with zero padding and grouping, names (N, n, Nn), roman numerals (I, i), words (w, W, Ww),
// letters (a, A), the ordinal modifier "o" and width modifiers (",*-3").

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	dayNames   = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	smallWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tensWords    = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	ordinalSmall = map[string]string{"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
)

// formatInteger renders n with a presentation ("0001", "#,##0", "I", "w", "Ww", "a", with an
// optional trailing "o" for ordinals).
func formatInteger(n int64, pres string) string {
	ordinal := false
	if strings.HasSuffix(pres, "o") && len(pres) > 1 && pres != "Wo" {
		ordinal = true
		pres = pres[:len(pres)-1]
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var s string
	switch pres {
	case "I":
		s = roman(n)
	case "i":
		s = strings.ToLower(roman(n))
	case "w":
		s = words(n, ordinal)
	case "W":
		s = strings.ToUpper(words(n, ordinal))
	case "Ww":
		s = titleWords(words(n, ordinal))
	case "a", "A":
		s = letters(n, pres == "A")
	default:
		s = decimalPattern(n, pres)
		if ordinal {
			s += ordinalSuffix(n)
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

func roman(n int64) string {
	vals := []int64{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

func letters(n int64, upper bool) string {
	base := 'a'
	if upper {
		base = 'A'
	}
	var out []rune
	for n > 0 {
		n--
		out = append([]rune{base + rune(n%26)}, out...)
		n /= 26
	}
	return string(out)
}

func words(n int64, ordinal bool) string {
	var w string
	switch {
	case n < 20:
		w = smallWords[n]
	case n < 100:
		w = tensWords[n/10]
		if n%10 != 0 {
			w += "-" + smallWords[n%10]
		}
	case n < 1000:
		w = smallWords[n/100] + " hundred"
		if n%100 != 0 {
			w += " and " + words(n%100, false)
		}
	default:
		scales := []struct {
			v    int64
			name string
		}{{1e18, "quintillion"}, {1e15, "quadrillion"}, {1e12, "trillion"}, {1e9, "billion"}, {1e6, "million"}, {1e3, "thousand"}}
		for _, sc := range scales {
			if n >= sc.v {
				w = words(n/sc.v, false) + " " + sc.name
				if rest := n % sc.v; rest != 0 {
					sep := ", "
					if rest < 100 {
						sep = " and "
					}
					w += sep + words(rest, false)
				}
				break
			}
		}
	}
	if !ordinal {
		return w
	}
	// The last word takes the ordinal form: "twenty-one" -> "twenty-first".
	cut := strings.LastIndexAny(w, " -") + 1
	last := w[cut:]
	switch {
	case ordinalSmall[last] != "":
		last = ordinalSmall[last]
	case strings.HasSuffix(last, "y"):
		last = last[:len(last)-1] + "ieth"
	default:
		last += "th"
	}
	return w[:cut] + last
}

// titleWords capitalises each space-separated word, as jsonata-js does ("Twenty-one").
func titleWords(s string) string {
	parts := strings.Split(s, " ")
	for i, p := range parts {
		r, size := utf8.DecodeRuneInString(p)
		parts[i] = string(unicode.ToUpper(r)) + p[size:]
	}
	return strings.Join(parts, " ")
}

func ordinalSuffix(n int64) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

// decimalPattern applies a digit pattern: mandatory digits ('0'-'9') set the minimum width,
// optional '#' digits do not, and any other character is a grouping separator repeated at the
// pattern's spacing.
func decimalPattern(n int64, pattern string) string {
	digits := strconv.FormatInt(n, 10)
	if pattern == "" {
		return digits
	}
	minWidth := 0
	type sep struct {
		pos int // digits to the right of the separator
		ch  string
	}
	var seps []sep
	right := 0
	rs := []rune(pattern)
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		switch {
		case r >= '0' && r <= '9':
			minWidth++
			right++
		case r == '#':
			right++
		default:
			seps = append(seps, sep{pos: right, ch: string(r)})
		}
	}
	for len(digits) < minWidth {
		digits = "0" + digits
	}
	if len(seps) == 0 {
		return digits
	}
	// Regular grouping (all separators equally spaced) repeats over the whole number.
	regular := seps[0].pos > 0
	for i, s := range seps {
		if s.pos != seps[0].pos*(i+1) || s.ch != seps[0].ch {
			regular = false
		}
	}
	var b strings.Builder
	for i, d := range digits {
		fromRight := len(digits) - i
		if i > 0 {
			if regular && fromRight%seps[0].pos == 0 {
				b.WriteString(seps[0].ch)
			} else if !regular {
				for _, s := range seps {
					if s.pos == fromRight {
						b.WriteString(s.ch)
					}
				}
			}
		}
		b.WriteRune(d)
	}
	return b.String()
}

// parseTimezone reads "+hhmm"/"-hh:mm"/"Z" offsets as JSONata's timezone arguments.
func parseTimezone(tz string) (*time.Location, bool) {
	if tz == "" || tz == "Z" || tz == "0000" {
		return time.UTC, true
	}
	sign := 1
	switch tz[0] {
	case '-':
		sign = -1
		tz = tz[1:]
	case '+':
		tz = tz[1:]
	}
	tz = strings.ReplaceAll(tz, ":", "")
	if len(tz) != 4 {
		return nil, false
	}
	h, err1 := strconv.Atoi(tz[:2])
	m, err2 := strconv.Atoi(tz[2:])
	if err1 != nil || err2 != nil {
		return nil, false
	}
	return time.FixedZone("", sign*(h*3600+m*60)), true
}

// formatDateTime renders t with an XPath date-time picture such as "[Y0001]-[M01]-[D01]".
func formatDateTime(t time.Time, picture string) (string, error) {
	// The whole picture is checked before anything is formatted, as jsonata-js analyses it.
	for i := 0; i < len(picture); i++ {
		if picture[i] != '[' {
			continue
		}
		if i+1 < len(picture) && picture[i+1] == '[' {
			i++
			continue
		}
		end := strings.IndexByte(picture[i:], ']')
		if end < 0 {
			return "", errorf("D3135", "No matching closing bracket ']' in date/time picture string")
		}
		i += end
	}
	var b strings.Builder
	for i := 0; i < len(picture); {
		c := picture[i]
		switch {
		case c == '[' && i+1 < len(picture) && picture[i+1] == '[':
			b.WriteByte('[')
			i += 2
			continue
		case c == ']' && i+1 < len(picture) && picture[i+1] == ']':
			b.WriteByte(']')
			i += 2
			continue
		case c != '[':
			b.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(picture[i:], ']')
		if end < 0 {
			return "", errorf("D3135", "No matching closing bracket ']' in date/time picture string")
		}
		marker := strings.Join(strings.Fields(picture[i+1:i+end]), "")
		i += end + 1
		if marker == "" {
			continue
		}
		s, err := formatComponent(t, marker)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func formatComponent(t time.Time, marker string) (string, error) {
	comp := marker[0]
	rest := marker[1:]
	width := ""
	// The width modifier follows the last comma, if what follows looks like one: the
	// presentation itself may contain grouping commas ("[Y9,999,*]").
	if i := strings.LastIndexByte(rest, ','); i >= 0 && widthRE.MatchString(rest[i+1:]) {
		rest, width = rest[:i], rest[i+1:]
	}
	minW, maxW := parseWidth(width)
	pres := rest
	if pres == "" {
		def, ok := componentDefaults[comp]
		if !ok {
			return "", errorf("D3132", "Unknown component specifier %c in date/time picture string", comp)
		}
		pres = def
	}
	switch comp {
	case 'f':
		return fractionalSeconds(t, pres, minW), nil
	case 'Z', 'z':
		return timezone(t, comp, pres)
	case 'C', 'E':
		return "ISO", nil
	}
	num, name, ok := componentValue(t, comp)
	if !ok {
		return "", errorf("D3132", "Unknown component specifier %c in date/time picture string", comp)
	}
	if comp == 'Y' {
		num = truncateYear(num, rest, pres, minW, maxW)
	}
	return presentComponent(comp, num, name, pres, minW, maxW)
}

var componentDefaults = map[byte]string{'Y': "1", 'M': "1", 'D': "1", 'd': "1", 'F': "n", 'H': "1", 'h': "1", 'P': "n", 'm': "01", 's': "01", 'f': "1", 'Z': "01:01", 'z': "01:01", 'W': "1", 'w': "1", 'x': "1", 'C': "n", 'E': "n"}

// componentValue is a date/time component's number and, for months and days, its name.
func componentValue(t time.Time, comp byte) (int64, string, bool) {
	switch comp {
	case 'Y':
		return int64(t.Year()), "", true
	case 'M':
		return int64(t.Month()), monthNames[t.Month()-1], true
	case 'D':
		return int64(t.Day()), "", true
	case 'd':
		return int64(t.YearDay()), "", true
	case 'F':
		wd := (int(t.Weekday()) + 6) % 7 // ISO: Monday is 1
		return int64(wd + 1), dayNames[wd], true
	case 'W':
		_, w := t.ISOWeek()
		return int64(w), "", true
	case 'w', 'x':
		// Week of the month, ISO style: a week belongs to the month holding its Thursday,
		// so the last days of a month can be week 1 of the next ('x' names that month).
		thursday := t.AddDate(0, 0, 3-(int(t.Weekday())+6)%7)
		if comp == 'w' {
			return int64((thursday.Day()-1)/7 + 1), "", true
		}
		return int64(thursday.Month()), monthNames[thursday.Month()-1], true
	case 'H':
		return int64(t.Hour()), "", true
	case 'h':
		h := int64(t.Hour() % 12)
		if h == 0 {
			h = 12
		}
		return h, "", true
	case 'P':
		if t.Hour() >= 12 {
			return 0, "pm", true
		}
		return 0, "am", true
	case 'm':
		return int64(t.Minute()), "", true
	case 's':
		return int64(t.Second()), "", true
	}
	return 0, "", false
}

// truncateYear applies XPath 9.8.4.4: a year is truncated to the maximum width, else to the
// digits the presentation asks for ("[Y01]"), else to the minimum width of a bare "[Y,2]".
func truncateYear(num int64, rest, pres string, minW, maxW int) int64 {
	n := 0
	switch {
	case maxW > 0:
		n = maxW
	case rest != "" && countDigits(pres) >= 2:
		n = countDigits(pres)
	case rest == "" && minW > 0:
		n = minW
	}
	if n > 0 && n < 18 {
		num %= int64(math.Pow10(n))
	}
	return num
}

// fractionalSeconds: the digits of the pattern are the precision.
func fractionalSeconds(t time.Time, pres string, minW int) string {
	digits := max(countDigits(pres), minW)
	if digits == 0 {
		digits = 3
	}
	frac := float64(t.Nanosecond()) / 1e9
	s := strconv.FormatInt(int64(math.Round(frac*math.Pow10(digits))), 10)
	for len(s) < digits {
		s = "0" + s
	}
	return s[:min(len(s), digits)]
}

func timezone(t time.Time, comp byte, pres string) (string, error) {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if (pres == "Z" || strings.HasSuffix(pres, "t")) && off == 0 {
		return "Z", nil // "t": zero offset written as Z
	}
	digits := countDigits(strings.TrimSuffix(pres, "t"))
	if digits > 4 {
		return "", errorf("D3134", "The timezone integer format specifier cannot have more than four digits")
	}
	var s string
	switch {
	case digits <= 2 && !strings.Contains(pres, ":"):
		// "[Z0]": hours unpadded, minutes only when there are some ("+5:30", "-5").
		s = sign + strconv.Itoa(h)
		if m != 0 {
			s += ":" + pad2(m)
		}
	case strings.Contains(pres, ":"):
		s = sign + pad2(h) + ":" + pad2(m)
	default:
		s = sign + pad2(h) + pad2(m)
	}
	if comp == 'z' {
		return "GMT" + s, nil
	}
	return s, nil
}

// presentComponent writes a component as a name ("N", "n", "Nn") or a number in the
// presentation's format and width.
func presentComponent(comp byte, num int64, name, pres string, minW, maxW int) (string, error) {
	if pres == "N" || pres == "n" || pres == "Nn" {
		if name == "" {
			return "", errorf("D3133", "The 'name' modifier can only be applied to months and days in the date/time picture string, not %c", comp)
		}
		if maxW > 0 && len(name) > maxW {
			name = name[:maxW]
		}
		switch pres {
		case "N":
			return strings.ToUpper(name), nil
		case "n":
			return strings.ToLower(name), nil
		}
		return name, nil
	}
	if (minW > 0 || maxW > 0) && countDigits(pres) > 0 && !strings.ContainsAny(pres, "IiWwAa") {
		pres = "1" // a width modifier overrides the digit pattern's own width
	}
	s := formatInteger(num, pres)
	if minW > 0 {
		for len(s) < minW {
			s = "0" + s
		}
	}
	return s, nil
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' || r == '#' {
			n++
		}
	}
	return n
}

var widthRE = regexp.MustCompile(`^(\*|\d+)(-(\*|\d+))?$`)

// parseWidth reads a width modifier "min-max" ("*" for either means unbounded).
func parseWidth(w string) (int, int) {
	if w == "" {
		return 0, 0
	}
	lo, hi, _ := strings.Cut(w, "-")
	minW, _ := strconv.Atoi(lo)
	maxW, _ := strconv.Atoi(hi)
	return minW, maxW
}

// parseIntegerPicture is $parseInteger for decimal patterns and roman numerals.
func parseIntegerPicture(s, pres string) (float64, bool) {
	switch pres {
	case "I", "i":
		vals := map[rune]int{'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
		total, prev := 0, 0
		rs := []rune(strings.ToUpper(s))
		for i := len(rs) - 1; i >= 0; i-- {
			v, ok := vals[rs[i]]
			if !ok {
				return 0, false
			}
			if v < prev {
				total -= v
			} else {
				total += v
				prev = v
			}
		}
		return float64(total), true
	}
	var digits strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '-' && digits.Len() == 0:
			digits.WriteRune(r)
		case unicode.IsLetter(r):
			// an ordinal suffix ("1st")
		}
	}
	n, err := strconv.ParseInt(digits.String(), 10, 64)
	if err != nil {
		return 0, false
	}
	return float64(n), true
}

// parseDateTime is $toMillis with a picture: the picture becomes a regular expression with one
// group per component (fixed widths where the pattern pads, so "[Y0001][M01][D01]" reads
// "20171107"; ordinals, roman numerals, letters, words and names as they are formatted). ok is
// false when the text does not match. Components left out before the first given one come from
// now, those after the last given one are their minimum; a gap in between is D3136.
func parseDateTime(text, picture string, now time.Time) (time.Time, bool, error) {
	rx, comps, err := pictureRegexp(picture)
	if err != nil {
		return time.Time{}, false, err
	}
	m := rx.FindStringSubmatch(text)
	if m == nil {
		return time.Time{}, false, nil
	}
	vals, loc, ok := componentValues(m, comps)
	if !ok {
		return time.Time{}, false, nil
	}
	for _, unsupported := range []byte{'x', 'w', 'X', 'W'} {
		if _, ok := vals[unsupported]; ok {
			return time.Time{}, false, errorf("D3136", "The date/time picture string is not supported: year/week components")
		}
	}
	if ok, err := fillComponents(vals, now); !ok || err != nil {
		return time.Time{}, false, err
	}
	nanos := vals['f'] * 1e6
	if d, ok := vals['d']; ok {
		t := time.Date(vals['Y'], 1, 1, vals['H'], vals['m'], vals['s'], nanos, loc).AddDate(0, 0, d-1)
		return t, true, nil
	}
	return time.Date(vals['Y'], time.Month(vals['M']), vals['D'], vals['H'], vals['m'], vals['s'], nanos, loc), true, nil
}

// pictureRegexp compiles a date/time picture into a pattern with one group per component.
func pictureRegexp(picture string) (*regexp.Regexp, []dateComp, error) {
	var re strings.Builder
	re.WriteString("^")
	var comps []dateComp
	for i := 0; i < len(picture); {
		c := picture[i]
		if (c == '[' || c == ']') && i+1 < len(picture) && picture[i+1] == c {
			re.WriteString(regexpQuote(string(c)))
			i += 2
			continue
		}
		if c != '[' {
			r, size := utf8.DecodeRuneInString(picture[i:])
			re.WriteString(regexpQuote(string(r)))
			i += size
			continue
		}
		end := strings.IndexByte(picture[i:], ']')
		if end < 0 {
			return nil, nil, errorf("D3135", "No matching closing bracket ']' in date/time picture string")
		}
		marker := strings.Join(strings.Fields(picture[i+1:i+end]), "")
		i += end + 1
		if marker == "" {
			continue
		}
		dc, pattern, err := parseComponentSpec(marker)
		if err != nil {
			return nil, nil, err
		}
		re.WriteString(pattern)
		comps = append(comps, dc)
	}
	re.WriteString("$")
	rx, err := regexp.Compile(re.String())
	if err != nil {
		return nil, nil, errorf("D3136", "Invalid date/time picture string: %s", picture)
	}
	return rx, comps, nil
}

// componentValues reads the matched components (hours in 24-hour form) and the time zone;
// false when a value does not parse.
func componentValues(m []string, comps []dateComp) (map[byte]int, *time.Location, bool) {
	vals := map[byte]int{}
	pm, hasP := false, false
	loc := time.UTC
	for gi, dc := range comps {
		v := m[gi+1]
		switch dc.comp {
		case 'P':
			hasP, pm = true, strings.EqualFold(v, "pm")
			continue
		case 'Z', 'z':
			if l, ok := parseTimezone(strings.TrimPrefix(v, "GMT")); ok {
				loc = l
			}
			continue
		case 'f':
			frac, _ := strconv.ParseFloat("0."+v, 64)
			vals['f'] = int(math.Round(frac * 1e3))
			continue
		}
		n, ok := dc.value(v)
		if !ok {
			return nil, nil, false
		}
		vals[dc.comp] = n
	}
	if h, ok := vals['h']; ok {
		if hasP {
			h %= 12
			if pm {
				h += 12
			}
		}
		vals['H'] = h
	}
	return vals, loc, true
}

// fillComponents fills the leading components from now and the trailing ones with their
// minimum; false when there is no component at all.
func fillComponents(vals map[byte]int, now time.Time) (bool, error) {
	order := []byte{'Y', 'M', 'D', 'H', 'm', 's', 'f'}
	if _, ok := vals['d']; ok {
		order = []byte{'Y', 'd', 'H', 'm', 's', 'f'}
	}
	nowParts := map[byte]int{'Y': now.Year(), 'M': int(now.Month()), 'D': now.Day(), 'd': now.YearDay(), 'H': now.Hour(), 'm': now.Minute(), 's': now.Second(), 'f': now.Nanosecond() / 1e6}
	minParts := map[byte]int{'M': 1, 'D': 1, 'd': 1}
	first, last := -1, -1
	for i, c := range order {
		if _, ok := vals[c]; ok {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return false, nil
	}
	for i, c := range order {
		if _, ok := vals[c]; ok {
			continue
		}
		switch {
		case i < first:
			vals[c] = nowParts[c]
		case i > last:
			vals[c] = minParts[c]
		default:
			return false, errorf("D3136", "The date/time picture string leaves a gap between the components it specifies")
		}
	}
	return true, nil
}

// dateComp is one component of a date/time picture being parsed.
type dateComp struct {
	comp byte
	pres string
}

var wordsPattern = `([A-Za-z][A-Za-z\- ,]*?)`

// parseComponentSpec returns the component and the regular expression group that reads it.
func parseComponentSpec(marker string) (dateComp, string, error) {
	comp := marker[0]
	rest := marker[1:]
	if i := strings.LastIndexByte(rest, ','); i >= 0 && widthRE.MatchString(rest[i+1:]) {
		rest = rest[:i]
	}
	if !strings.ContainsRune("YMDdFWwXxHhPmsfZzCE", rune(comp)) {
		return dateComp{}, "", errorf("D3132", "Unknown component specifier %c in date/time picture string", comp)
	}
	dc := dateComp{comp: comp, pres: rest}
	pres := strings.TrimSuffix(rest, "o")
	ordinal := len(rest) > 1 && strings.HasSuffix(rest, "o") || rest == "o"
	switch {
	case comp == 'Z' || comp == 'z':
		return dc, `(Z|(?:GMT)?[+-]\d{1,2}(?::?\d{2})?)`, nil
	case comp == 'P':
		return dc, `([AaPp][Mm])`, nil
	case comp == 'C' || comp == 'E':
		return dc, `(?:ISO)`, nil
	case pres == "N" || pres == "n" || pres == "Nn":
		if comp != 'M' && comp != 'F' && comp != 'x' {
			return dc, "", errorf("D3133", "The 'name' modifier can only be applied to months and days in the date/time picture string, not %c", comp)
		}
		return dc, `([A-Za-z]+)`, nil
	case pres == "I":
		return dc, `([MDCLXVI]+)`, nil
	case pres == "i":
		return dc, `([mdclxvi]+)`, nil
	case pres == "a":
		return dc, `([a-z]+)`, nil
	case pres == "A":
		return dc, `([A-Z]+)`, nil
	case pres == "w" || pres == "W" || pres == "Ww":
		return dc, wordsPattern, nil
	case comp == 'f':
		return dc, `(\d+)`, nil
	}
	digits := `(\d+)`
	if n := countDigits(pres); n > 1 && !strings.Contains(pres, "#") {
		digits = `(\d{` + strconv.Itoa(n) + `})` // fixed width: "[Y0001][M01]" reads "201803"
	}
	if comp == 'F' && pres == "" {
		return dc, `([A-Za-z]+)`, nil // default day-of-week presentation is a name
	}
	if ordinal {
		return dc, digits + `(?:st|nd|rd|th)`, nil
	}
	return dc, digits, nil
}

// value reads the number a component's text stands for.
func (dc dateComp) value(v string) (int, bool) {
	pres := strings.TrimSuffix(dc.pres, "o")
	switch {
	case pres == "N" || pres == "n" || pres == "Nn" || dc.comp == 'F' && pres == "":
		names := monthNames
		if dc.comp == 'F' {
			names = dayNames
		}
		for i, name := range names {
			if len(v) >= 3 && strings.HasPrefix(strings.ToLower(name), strings.ToLower(v)) {
				return i + 1, true
			}
		}
		return 0, false
	case pres == "I" || pres == "i":
		n, ok := parseIntegerPicture(v, "I")
		return int(n), ok
	case pres == "a" || pres == "A":
		n := 0
		for _, r := range strings.ToLower(v) {
			n = n*26 + int(r-'a'+1)
		}
		return n, true
	case pres == "w" || pres == "W" || pres == "Ww":
		return wordsToNumber(v)
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// wordsToNumber reads English number words, cardinal or ordinal ("nineteen hundred and
// eighty-four", "twenty-third", "three hundred and sixty-fifth").
func wordsToNumber(s string) (int, bool) {
	values := map[string]int{}
	for i, w := range smallWords {
		values[w] = i
	}
	for i, w := range tensWords {
		if w != "" {
			values[w] = i * 10
		}
	}
	ordinals := map[string]string{"first": "one", "second": "two", "third": "three", "fifth": "five", "eighth": "eight", "ninth": "nine", "twelfth": "twelve"}
	scales := map[string]int{"hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9}
	total, current := 0, 0
	seen := false
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '-' || r == ',' }) {
		if w == "and" {
			continue
		}
		if c, ok := ordinals[w]; ok {
			w = c
		} else if strings.HasSuffix(w, "ieth") {
			w = strings.TrimSuffix(w, "ieth") + "y"
		} else if strings.HasSuffix(w, "th") && values[strings.TrimSuffix(w, "th")] > 0 {
			w = strings.TrimSuffix(w, "th")
		} else if strings.HasSuffix(w, "th") && scales[strings.TrimSuffix(w, "th")] > 0 {
			w = strings.TrimSuffix(w, "th")
		}
		if v, ok := values[w]; ok {
			current += v
			seen = true
			continue
		}
		sc, ok := scales[w]
		if !ok {
			return 0, false
		}
		seen = true
		if current == 0 {
			current = 1
		}
		if sc == 100 {
			current *= 100
		} else {
			total += current * sc
			current = 0
		}
	}
	return total + current, seen
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$/`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// numberFormat holds $formatNumber's decimal-format properties (XPath F&O 4.7), which the
// options object may override.
type numberFormat struct {
	decimal, grouping, exponent, percent, perMille, minus, digit, pattern string
}

func newNumberFormat(opts *object) numberFormat {
	nf := numberFormat{decimal: ".", grouping: ",", exponent: "e", percent: "%", perMille: "‰", minus: "-", digit: "#", pattern: ";"}
	set := func(key string, dst *string) {
		if v, ok := opts.Value(key).(string); ok && v != "" {
			*dst = v
		}
	}
	set("decimal-separator", &nf.decimal)
	set("grouping-separator", &nf.grouping)
	set("exponent-separator", &nf.exponent)
	set("percent", &nf.percent)
	set("per-mille", &nf.perMille)
	set("minus-sign", &nf.minus)
	set("digit", &nf.digit)
	set("pattern-separator", &nf.pattern)
	return nf
}

// formatNumberPicture is $formatNumber: an XPath decimal picture such as "#,##0.00",
// "$#,##0.00;($#,##0.00)", "0.0%" or "00.000e0" (XPath F&O 3.1, 4.7).
func formatNumberPicture(f float64, picture string, opts *object) (any, error) {
	nf := newNumberFormat(opts)
	subs := strings.Split(picture, nf.pattern)
	if len(subs) > 2 {
		return nil, errorf("D3080", "The picture string must not contain more than one instance of the 'pattern-separator' character")
	}
	parsed := make([]subPicture, len(subs))
	for i, sp := range subs {
		p, err := nf.parse(sp)
		if err != nil {
			return nil, err
		}
		parsed[i] = p
	}
	pic := parsed[0]
	if f < 0 && len(parsed) == 2 {
		pic = parsed[1]
	}
	neg := f < 0
	f = math.Abs(f)
	switch {
	case pic.percent:
		f *= 100
	case pic.perMille:
		f *= 1000
	}
	exp := 0
	if pic.minExp > 0 && f != 0 {
		// Mantissa in [10^(N-1), 10^N) for N mandatory integer digits, [0.1, 1) for none.
		exp = int(math.Floor(math.Log10(f))) + 1 - pic.scale
		f /= math.Pow10(exp)
	}
	f = roundHalfEven(f, pic.maxFrac)
	if pic.minExp > 0 && f >= math.Pow10(max(pic.scale, 0)) && f != 0 {
		f = roundHalfEven(f/10, pic.maxFrac) // rounding carried into a new digit
		exp++
	}
	s := strconv.FormatFloat(f, 'f', pic.maxFrac, 64)
	ip, fp, _ := strings.Cut(s, ".")
	for len(fp) > pic.minFrac && strings.HasSuffix(fp, "0") {
		fp = fp[:len(fp)-1]
	}
	for len(ip) < pic.minInt {
		ip = "0" + ip
	}
	if pic.minInt == 0 && ip == "0" && fp != "" && pic.minExp == 0 {
		ip = "" // no mandatory integer digit: ".5"
	}
	ip = nf.group(ip, pic.groups)
	out := ip
	if fp != "" {
		out += nf.decimal + fp
	}
	if pic.minExp > 0 {
		es := strconv.Itoa(absInt(exp))
		for len(es) < pic.minExp {
			es = "0" + es
		}
		if exp < 0 {
			es = nf.minus + es
		}
		out += nf.exponent + es
	}
	out = pic.prefix + out + pic.suffix
	if neg && len(parsed) < 2 {
		out = nf.minus + out
	}
	return out, nil
}

// subPicture is one analysed half of a $formatNumber picture.
type subPicture struct {
	prefix, suffix    string
	minInt, scale     int
	minFrac, maxFrac  int
	minExp            int
	groups            []int // grouping separator positions, counted from the decimal point
	percent, perMille bool
}

// readPercent notes a sub-picture's percent or per-mille sign (one at most).
func (p *subPicture) readPercent(nf numberFormat, sp string) error {
	switch pc, pm := strings.Count(sp, nf.percent), strings.Count(sp, nf.perMille); {
	case pc > 1:
		return errorf("D3082", "The picture string must not contain more than one instance of the 'percent' character")
	case pm > 1:
		return errorf("D3083", "The picture string must not contain more than one instance of the 'per-mille' character")
	case pc == 1 && pm == 1:
		return errorf("D3084", "The picture string must not contain both a 'percent' and a 'per-mille' character")
	default:
		p.percent, p.perMille = pc == 1, pm == 1
	}
	return nil
}

// countDigits reads the mantissa's integer and fractional parts: minimum digits, grouping
// positions, maximum fraction digits. It reports whether there is any digit at all.
func (p *subPicture) countDigits(nf numberFormat, intPart, fracPart string) bool {
	isDigit := func(r rune) bool { return r >= '0' && r <= '9' }
	hasDigit := false
	pos := 0
	ir := []rune(intPart)
	for i := len(ir) - 1; i >= 0; i-- {
		switch r := ir[i]; {
		case string(r) == nf.grouping:
			p.groups = append(p.groups, pos)
		case isDigit(r):
			p.minInt++
			hasDigit = true
			pos++
		default:
			hasDigit = hasDigit || string(r) == nf.digit
			pos++
		}
	}
	for _, r := range fracPart {
		switch {
		case isDigit(r):
			p.minFrac++
			p.maxFrac++
			hasDigit = true
		case string(r) == nf.digit:
			p.maxFrac++
			hasDigit = true
		}
	}
	return hasDigit
}

func (nf numberFormat) parse(sp string) (subPicture, error) {
	var p subPicture
	isDigit := func(r rune) bool { return r >= '0' && r <= '9' }
	isActive := func(r rune) bool {
		s := string(r)
		return isDigit(r) || s == nf.digit || s == nf.decimal || s == nf.grouping
	}
	rs := []rune(sp)
	start, end := -1, -1
	for i, r := range rs {
		if isActive(r) {
			if start < 0 {
				start = i
			}
			end = i + 1
		}
	}
	if start < 0 {
		return p, errorf("D3085", "The mantissa part of a picture string must contain at least one decimal digit or optional digit character")
	}
	p.prefix, p.suffix = string(rs[:start]), string(rs[end:])
	body := rs[start:end]
	// An exponent separator between a mantissa character and a digit splits the body.
	mantissa, expPart := body, []rune(nil)
	er := []rune(nf.exponent)
	for i := 1; i+len(er) < len(body); i++ {
		if string(body[i:i+len(er)]) == nf.exponent && isActive(body[i-1]) && isDigit(body[i+len(er)]) {
			mantissa, expPart = body[:i], body[i+len(er):]
			break
		}
	}
	for _, r := range expPart {
		if !isDigit(r) {
			return p, errorf("D3093", "The exponent part of the picture string must contain at least one character that is a member of the 'decimal digit family'")
		}
	}
	p.minExp = len(expPart)
	if err := p.readPercent(nf, sp); err != nil {
		return p, err
	}
	if (p.percent || p.perMille) && p.minExp > 0 {
		return p, errorf("D3092", "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'")
	}
	ms := string(mantissa)
	if strings.Count(ms, nf.decimal) > 1 {
		return p, errorf("D3081", "The picture string must not contain more than one instance of the 'decimal-separator' character")
	}
	intPart, fracPart, hasDecimal := strings.Cut(ms, nf.decimal)
	if !p.countDigits(nf, intPart, fracPart) {
		return p, errorf("D3085", "The mantissa part of a picture string must contain at least one decimal digit or optional digit character")
	}
	p.scale = p.minInt
	if p.minInt == 0 && !hasDecimal && p.minExp == 0 {
		p.minInt = 1 // "#" still shows one digit
	}
	if p.minInt == 0 && p.maxFrac == 0 {
		if p.minExp > 0 {
			p.minFrac, p.maxFrac = 1, 1
		} else {
			p.minInt = 1
		}
	}
	return p, nil
}

// group inserts grouping separators into integer digits: repeated when the picture's
// separators are evenly spaced, else only at the picture's positions.
func (nf numberFormat) group(ip string, groups []int) string {
	if len(groups) == 0 {
		return ip
	}
	regular := groups[0] > 0
	for k, g := range groups {
		if g != groups[0]*(k+1) {
			regular = false
		}
	}
	var b strings.Builder
	for i, c := range ip {
		fromRight := len(ip) - i
		if i > 0 && (regular && fromRight%groups[0] == 0 || !regular && slices.Contains(groups, fromRight)) {
			b.WriteString(nf.grouping)
		}
		b.WriteRune(c)
	}
	return b.String()
}
