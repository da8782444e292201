package jsonata

import (
	"math"
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
	if i := strings.IndexByte(rest, ','); i >= 0 {
		rest, width = rest[:i], rest[i+1:]
	}
	minW, maxW := parseWidth(width)
	defaults := map[byte]string{'Y': "1", 'M': "1", 'D': "1", 'd': "1", 'F': "n", 'H': "1", 'h': "1", 'P': "n", 'm': "01", 's': "01", 'f': "1", 'Z': "01:01", 'z': "01:01", 'W': "1", 'w': "1", 'C': "n", 'E': "n"}
	pres := rest
	if pres == "" {
		def, ok := defaults[comp]
		if !ok {
			return "", errorf("D3132", "Unknown component specifier %c in date/time picture string", comp)
		}
		pres = def
	}
	var num int64
	var name string
	switch comp {
	case 'Y':
		num = int64(t.Year())
		if d := countDigits(pres); d == 2 || maxW == 2 {
			num %= 100
		}
	case 'M':
		num, name = int64(t.Month()), monthNames[t.Month()-1]
	case 'D':
		num = int64(t.Day())
	case 'd':
		num = int64(t.YearDay())
	case 'F':
		wd := (int(t.Weekday()) + 6) % 7 // ISO: Monday is 1
		num, name = int64(wd+1), dayNames[wd]
	case 'W':
		_, w := t.ISOWeek()
		num = int64(w)
	case 'w':
		num = int64((t.Day()-1)/7 + 1)
	case 'H':
		num = int64(t.Hour())
	case 'h':
		num = int64(t.Hour() % 12)
		if num == 0 {
			num = 12
		}
	case 'P':
		name = "am"
		if t.Hour() >= 12 {
			name = "pm"
		}
	case 'm':
		num = int64(t.Minute())
	case 's':
		num = int64(t.Second())
	case 'f':
		// Fractional seconds: the digits of the pattern are the precision.
		digits := max(countDigits(pres), minW)
		if digits == 0 {
			digits = 3
		}
		frac := float64(t.Nanosecond()) / 1e9
		s := strconv.FormatInt(int64(math.Round(frac*math.Pow10(digits))), 10)
		for len(s) < digits {
			s = "0" + s
		}
		return s[:min(len(s), digits)], nil
	case 'Z', 'z':
		_, off := t.Zone()
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		h, m := off/3600, off%3600/60
		if (pres == "Z" || strings.HasSuffix(pres, "t")) && off == 0 {
			return "Z", nil // "t": zero offset written as Z
		}
		var s string
		if strings.Contains(pres, ":") || pres == "01:01" {
			s = sign + pad2(h) + ":" + pad2(m)
		} else {
			s = sign + pad2(h) + pad2(m)
		}
		if comp == 'z' {
			return "GMT" + s, nil
		}
		return s, nil
	case 'C':
		return "ISO", nil
	case 'E':
		return "ISO", nil
	default:
		return "", errorf("D3132", "Unknown component specifier %c in date/time picture string", comp)
	}
	if name != "" && (pres == "N" || pres == "n" || pres == "Nn") {
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
// "20171107"). ok is false when the text does not match.
func parseDateTime(text, picture string) (time.Time, bool, error) {
	var re strings.Builder
	re.WriteString("^")
	var comps []string // marker per capture group
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
			return time.Time{}, false, errorf("D3135", "No matching closing bracket ']' in date/time picture string")
		}
		marker := strings.Join(strings.Fields(picture[i+1:i+end]), "")
		i += end + 1
		if marker == "" {
			continue
		}
		pres, _, _ := strings.Cut(marker[1:], ",")
		switch {
		case marker[0] == 'Z' || marker[0] == 'z':
			re.WriteString(`(Z|(?:GMT)?[+-]\d{2}:?\d{2})`)
		case marker[0] == 'P':
			re.WriteString(`([AaPp][Mm])`)
		case pres == "N" || pres == "n" || pres == "Nn":
			re.WriteString(`([A-Za-z]+)`)
		case countDigits(pres) > 1:
			re.WriteString(`(\d{` + strconv.Itoa(countDigits(pres)) + `})`)
		default:
			re.WriteString(`(\d+)`)
		}
		comps = append(comps, marker)
	}
	re.WriteString("$")
	rx, err := compileRegex(re.String(), "")
	if err != nil {
		return time.Time{}, false, errorf("D3136", "Invalid date/time picture string: %s", picture)
	}
	m := rx.re.FindStringSubmatch(text)
	if m == nil {
		return time.Time{}, false, nil
	}
	year, month, day, hour, minute, sec, nanos, yday := 1970, 1, 1, 0, 0, 0, 0, 0
	pm, hasP := false, false
	loc := time.UTC
	for gi, marker := range comps {
		v := m[gi+1]
		n, _ := strconv.Atoi(v)
		switch marker[0] {
		case 'Y':
			year = n
		case 'M':
			if n == 0 {
				for mi, name := range monthNames {
					if strings.HasPrefix(strings.ToLower(name), strings.ToLower(v)) {
						n = mi + 1
						break
					}
				}
			}
			month = n
		case 'D':
			day = n
		case 'd':
			yday = n
		case 'H', 'h':
			hour = n
		case 'm':
			minute = n
		case 's':
			sec = n
		case 'f':
			frac, _ := strconv.ParseFloat("0."+v, 64)
			nanos = int(math.Round(frac * 1e9))
		case 'P':
			hasP, pm = true, strings.EqualFold(v, "pm")
		case 'Z', 'z':
			if l, ok := parseTimezone(strings.TrimPrefix(v, "GMT")); ok {
				loc = l
			}
		}
	}
	if hasP {
		hour %= 12
		if pm {
			hour += 12
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nanos, loc)
	if yday > 0 {
		t = time.Date(year, 1, 1, hour, minute, sec, nanos, loc).AddDate(0, 0, yday-1)
	}
	return t, true, nil
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

func newNumberFormat(opts map[string]any) numberFormat {
	nf := numberFormat{decimal: ".", grouping: ",", exponent: "e", percent: "%", perMille: "‰", minus: "-", digit: "#", pattern: ";"}
	set := func(key string, dst *string) {
		if v, ok := opts[key].(string); ok && v != "" {
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
// "$#,##0.00;($#,##0.00)", "0.0%" or "0.00e0".
func formatNumberPicture(f float64, picture string, opts map[string]any) (any, error) {
	nf := newNumberFormat(opts)
	sub := strings.Split(picture, nf.pattern)
	if len(sub) > 2 {
		return nil, errorf("D3080", "The picture string must not contain more than one instance of the 'pattern-separator' character")
	}
	pic := sub[0]
	if f < 0 && len(sub) == 2 {
		pic = sub[1]
	}
	isActive := func(r rune) bool {
		s := string(r)
		return r >= '0' && r <= '9' || s == nf.digit || s == nf.decimal || s == nf.grouping
	}
	rs := []rune(pic)
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
		return nil, errorf("D3085", "The picture string must contain at least one digit or '#': %s", picture)
	}
	prefix, body, suffix := string(rs[:start]), string(rs[start:end]), string(rs[end:])
	// An exponent separator between digits belongs to the body ("0.00e0"); the suffix then
	// starts after the exponent digits.
	expDigits := 0
	if strings.HasPrefix(suffix, nf.exponent) {
		rest := []rune(suffix[len(nf.exponent):])
		for expDigits < len(rest) && rest[expDigits] >= '0' && rest[expDigits] <= '9' {
			expDigits++
		}
		if expDigits > 0 {
			suffix = string(rest[expDigits:])
		} else {
			expDigits = 0
		}
	}
	switch {
	case strings.Contains(prefix+suffix, nf.percent):
		f *= 100
	case strings.Contains(prefix+suffix, nf.perMille):
		f *= 1000
	}
	intPart, fracPart, _ := strings.Cut(body, nf.decimal)
	minFrac, maxFrac := 0, 0
	for _, r := range fracPart {
		switch {
		case r >= '0' && r <= '9':
			minFrac++
			maxFrac++
		case string(r) == nf.digit:
			maxFrac++
		}
	}
	minInt := 0
	for _, r := range intPart {
		if r >= '0' && r <= '9' {
			minInt++
		}
	}
	// Grouping: distances of the separators from the decimal point; regular when all are
	// multiples of the first.
	var groups []int
	pos := 0
	ir := []rune(intPart)
	for i := len(ir) - 1; i >= 0; i-- {
		if string(ir[i]) == nf.grouping {
			groups = append(groups, pos)
		} else {
			pos++
		}
	}
	neg := f < 0
	f = math.Abs(f)
	exp := 0
	if expDigits > 0 && f != 0 {
		// Scale so the integer part has minInt digits (at least one).
		digits := max(minInt, 1)
		exp = int(math.Floor(math.Log10(f))) + 1 - digits
		f /= math.Pow10(exp)
	}
	f = roundHalfEven(f, maxFrac)
	s := strconv.FormatFloat(f, 'f', maxFrac, 64)
	ip, fp, _ := strings.Cut(s, ".")
	for len(fp) > minFrac && strings.HasSuffix(fp, "0") {
		fp = fp[:len(fp)-1]
	}
	for len(ip) < minInt {
		ip = "0" + ip
	}
	if minInt == 0 && ip == "0" && fp != "" {
		ip = ""
	}
	if len(groups) > 0 {
		regular := groups[0] > 0
		for k, g := range groups {
			if g != groups[0]*(k+1) {
				regular = false
			}
		}
		var b strings.Builder
		for i, c := range ip {
			fromRight := len(ip) - i
			if i > 0 {
				if regular && fromRight%groups[0] == 0 {
					b.WriteString(nf.grouping)
				} else if !regular && slices.Contains(groups, fromRight) {
					b.WriteString(nf.grouping)
				}
			}
			b.WriteRune(c)
		}
		ip = b.String()
	}
	out := ip
	if fp != "" {
		out += nf.decimal + fp
	}
	if expDigits > 0 {
		es := strconv.Itoa(absInt(exp))
		for len(es) < expDigits {
			es = "0" + es
		}
		if exp < 0 {
			es = nf.minus + es
		}
		out += nf.exponent + es
	}
	out = prefix + out + suffix
	if neg && len(sub) < 2 {
		out = nf.minus + out
	}
	return out, nil
}
