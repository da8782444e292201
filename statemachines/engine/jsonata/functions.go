package jsonata

import (
	"encoding/base64"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// builtin is a library function: its jsonata-js signature (argument checks, context
// substitution, singleton-to-array promotion) and how many parameters it declares, which
// higher-order functions use to decide how many arguments to pass.
type builtin struct {
	name  string
	sig   *signature
	arity int
	fn    func(e *evaluator, args []any, input any) (any, error)
}

// builtins is the function table, built once in init (the functions refer back to the
// evaluator, which looks names up here) and never changed afterwards.
var builtins map[string]*builtin

func init() {
	builtins = map[string]*builtin{}
	def := func(name, sig string, arity int, fn func(e *evaluator, args []any, input any) (any, error)) {
		s, err := parseSignature(sig)
		if err != nil {
			panic("jsonata: bad signature for $" + name + ": " + err.Error())
		}
		builtins[name] = &builtin{name: name, sig: s, arity: arity, fn: fn}
	}
	defineAggregates(def)
	defineStrings(def)
	defineNumeric(def)
	defineArrays(def)
	defineObjects(def)
	defineHigherOrder(def)
	defineDates(def)
	defineStepFunctions(def)
}

type definer func(name, sig string, arity int, fn func(e *evaluator, args []any, input any) (any, error))

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return undefined
}

func num(v any) float64 {
	f, _ := toNumber(v)
	return f
}

func defineAggregates(def definer) {
	def("sum", "<a<n>:n>", 1, fnSum)
	def("count", "<a:n>", 1, fnCount)
	extreme := func(pick func(a, b float64) float64) func(*evaluator, []any, any) (any, error) {
		return func(_ *evaluator, args []any, _ any) (any, error) {
			items, ok := asArray(arg(args, 0))
			if !ok || len(items) == 0 {
				return undefined, nil
			}
			r := num(items[0])
			for _, it := range items[1:] {
				r = pick(r, num(it))
			}
			return r, nil
		}
	}
	def("max", "<a<n>:n>", 1, extreme(math.Max))
	def("min", "<a<n>:n>", 1, extreme(math.Min))
	def("average", "<a<n>:n>", 1, fnAverage)
}

// castString is fn.string: strings as they are, everything else as JSON with numbers rounded
// to 15 significant digits.
func castString(v any) (string, error) {
	return castStringPretty(v, false)
}

func castStringPretty(v any, pretty bool) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	}
	if isFunction(v) {
		return "", nil
	}
	if a, ok := v.(*jarray); ok && a.outerWrapper && len(a.items) > 0 {
		v = a.items[0]
	}
	return stringify(v, pretty)
}

func runes(s string) []rune { return []rune(s) }

func defineStrings(def definer) {
	// Arity 1: jsonata-js declares prettify with a default value, so $map(xs, $string) passes
	// only the value.
	def("string", "<x-b?:s>", 1, fnString)
	def("length", "<s-:n>", 1, fnLength)
	def("substring", "<s-nn?:s>", 3, fnSubstring)
	def("substringBefore", "<s-s:s>", 2, fnSubstringBefore)
	def("substringAfter", "<s-s:s>", 2, fnSubstringAfter)
	def("uppercase", "<s-:s>", 1, stringMap(strings.ToUpper))
	def("lowercase", "<s-:s>", 1, stringMap(strings.ToLower))
	def("trim", "<s-:s>", 1, stringMap(func(s string) string {
		s = wsRun.ReplaceAllString(s, " ")
		s = strings.TrimPrefix(s, " ")
		return strings.TrimSuffix(s, " ")
	}))
	def("pad", "<s-ns?:s>", 3, fnPad)
	def("contains", "<s-(sf):b>", 2, fnContains)
	def("split", "<s-(sf)n?:a<s>>", 3, fnSplit)
	def("join", "<a<s>s?:s>", 2, fnJoin)
	def("match", "<s-f<s:o>n?:a<o>>", 3, fnMatch)
	def("replace", "<s-(sf)(sf)n?:s>", 4, fnReplace)
	def("base64encode", "<s-:s>", 1, stringMap(func(s string) string {
		return base64.StdEncoding.EncodeToString([]byte(s))
	}))
	def("base64decode", "<s-:s>", 1, fnBase64decode)
	def("encodeUrlComponent", "<s-:s>", 1, stringMap(func(s string) string { return uriEncode(s, uriUnreserved) }))
	def("encodeUrl", "<s-:s>", 1, stringMap(func(s string) string { return uriEncode(s, uriUnreserved+";,/?:@&=+$#") }))
	decode := func(_ *evaluator, args []any, _ any) (any, error) {
		s, ok := arg(args, 0).(string)
		if !ok {
			return undefined, nil
		}
		r, err := url.PathUnescape(s)
		if err != nil {
			return nil, errorf("D3140", "Malformed URL passed to $decodeUrl(): %q", s)
		}
		return r, nil
	}
	def("decodeUrlComponent", "<s-:s>", 1, decode)
	def("decodeUrl", "<s-:s>", 1, decode)
}

// maxStringLen bounds strings built from a requested size ($pad): Step Functions payloads are
// at most 256 KiB, so larger strings can only exhaust memory.
const maxStringLen = 1 << 24

var wsRun = regexp.MustCompile(`[ \t\n\r]+`)

const uriUnreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"

// uriEncode is encodeURIComponent/encodeURI: UTF-8 percent-encoding of everything not in keep.
func uriEncode(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c)>>4, 16)) + strings.ToUpper(strconv.FormatInt(int64(c)&0xf, 16)))
	}
	return b.String()
}

func stringMap(f func(string) string) func(*evaluator, []any, any) (any, error) {
	return func(_ *evaluator, args []any, _ any) (any, error) {
		s, ok := arg(args, 0).(string)
		if !ok {
			return undefined, nil
		}
		return f(s), nil
	}
}

// matchObject is a regex match as JSONata reports it: match, index (in characters) and groups.
func matchObject(s string, m []int) *object {
	groups := []any{}
	for g := 1; g < len(m)/2; g++ {
		if m[2*g] < 0 {
			groups = append(groups, "")
			continue
		}
		groups = append(groups, s[m[2*g]:m[2*g+1]])
	}
	o := newObject(3)
	o.Set("match", s[m[0]:m[1]])
	o.Set("index", float64(utf8.RuneCountInString(s[:m[0]])))
	o.Set("groups", groups)
	return o
}

func fnReplace(e *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	pattern := arg(args, 1)
	replacement := arg(args, 2)
	if isUndef(pattern) || isUndef(replacement) {
		return undefined, nil
	}
	if p, ok := pattern.(string); ok && p == "" {
		return nil, errorf("D3010", "Second argument of replace function cannot be an empty string")
	}
	limit := -1
	if l := arg(args, 3); !isUndef(l) {
		if num(l) < 0 {
			return nil, errorf("D3011", "Fourth argument of replace function must evaluate to a positive number")
		}
		limit = int(num(l))
	}
	if limit == 0 {
		return s, nil
	}
	if p, ok := pattern.(string); ok {
		rs, _ := replacement.(string)
		return strings.Replace(s, p, rs, limit), nil
	}
	re, ok := pattern.(*regexValue)
	if !ok {
		return nil, errorf("T0410", "Argument 2 of function %q does not match function signature", "replace")
	}
	var b strings.Builder
	pos := 0
	for _, m := range re.re.FindAllStringSubmatchIndex(s, limit) {
		if m[0] == m[1] {
			return nil, errorf("D1004", "Regular expression matches zero length string")
		}
		b.WriteString(s[pos:m[0]])
		mo := matchObject(s, m)
		switch r := replacement.(type) {
		case string:
			groups, _ := mo.Value("groups").([]any)
			match, _ := mo.Value("match").(string)
			b.WriteString(expandReplacement(r, match, groups))
		default:
			v, err := e.callHOF(r, mo)
			if err != nil {
				return nil, err
			}
			str, ok := v.(string)
			if !ok {
				return nil, errorf("D3012", "Attempted to replace a matched string with a non-string value")
			}
			b.WriteString(str)
		}
		pos = m[1]
	}
	b.WriteString(s[pos:])
	return b.String(), nil
}

// expandReplacement substitutes $0 (the match), $n (groups) and $$ in a replacement string, with
// jsonata-js's rule for multi-digit group numbers.
func expandReplacement(repl, match string, groups []any) string {
	var b strings.Builder
	pos := 0
	for {
		idx := strings.IndexByte(repl[pos:], '$')
		if idx < 0 {
			break
		}
		idx += pos
		b.WriteString(repl[pos:idx])
		pos = idx + 1
		if pos >= len(repl) {
			b.WriteByte('$')
			break
		}
		switch repl[pos] {
		case '$':
			b.WriteByte('$')
			pos++
		case '0':
			b.WriteString(match)
			pos++
		default:
			maxDigits := 1
			if len(groups) > 0 {
				maxDigits = int(math.Floor(math.Log10(float64(len(groups))))) + 1
			}
			end := min(pos+maxDigits, len(repl))
			digits := leadingDigits(repl[pos:end])
			n, err := strconv.Atoi(digits)
			if maxDigits > 1 && err == nil && n > len(groups) && len(digits) > 1 {
				digits = digits[:len(digits)-1]
				n, err = strconv.Atoi(digits)
			}
			if err != nil {
				b.WriteByte('$')
				continue
			}
			if n >= 1 && n <= len(groups) {
				if g, ok := groups[n-1].(string); ok {
					b.WriteString(g)
				}
			}
			pos += len(digits)
		}
	}
	b.WriteString(repl[pos:])
	return b.String()
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

var numberString = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$`)

func defineNumeric(def definer) {
	def("number", "<(nsb)-:n>", 1, fnNumber)
	unary := func(f func(float64) float64) func(*evaluator, []any, any) (any, error) {
		return func(_ *evaluator, args []any, _ any) (any, error) {
			v := arg(args, 0)
			if isUndef(v) {
				return undefined, nil
			}
			return f(num(v)), nil
		}
	}
	def("abs", "<n-:n>", 1, unary(math.Abs))
	def("floor", "<n-:n>", 1, unary(math.Floor))
	def("ceil", "<n-:n>", 1, unary(math.Ceil))
	def("round", "<n-n?:n>", 2, fnRound)
	def("sqrt", "<n-:n>", 1, fnSqrt)
	def("power", "<n-n:n>", 2, fnPower)
	def("formatBase", "<n-n?:s>", 2, fnFormatBase)
	def("formatNumber", "<n-so?:s>", 3, fnFormatNumber)
}

// roundHalfEven is $round: to prec decimal places, halves to the even neighbour. The shift goes
// through the decimal representation, as jsonata-js does, so that 2.675 rounds like its text.
func roundHalfEven(f float64, prec int) float64 {
	shifted := f
	if prec != 0 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		e, _ := strconv.Atoi(exp)
		shifted, _ = strconv.ParseFloat(mant+"e"+strconv.Itoa(e+prec), 64)
	}
	r := math.Floor(shifted + 0.5) // JavaScript's Math.round
	if math.Abs(r-shifted) == 0.5 && math.Mod(math.Abs(r), 2) == 1 {
		r--
	}
	if prec != 0 {
		s := strconv.FormatFloat(r, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		e, _ := strconv.Atoi(exp)
		r, _ = strconv.ParseFloat(mant+"e"+strconv.Itoa(e-prec), 64)
	}
	if r == 0 {
		return 0 // no negative zero
	}
	return r
}

func defineArrays(def definer) {
	def("append", "<xx:a>", 2, fnAppend)
	def("reverse", "<a:a>", 1, fnReverse)
	def("shuffle", "<a:a>", 1, fnShuffle)
	def("distinct", "<x:x>", 1, fnDistinct)
	def("sort", "<af?:a>", 2, fnSort)
	def("zip", "<a+>", 2, fnZip)
}

func defineObjects(def definer) {
	def("keys", "<x-:a<s>>", 1, fnKeys)
	def("lookup", "<x-s:x>", 2, fnLookup)
	def("spread", "<x-:a<o>>", 1, fnSpread)
	def("merge", "<a<o>:o>", 1, fnMerge)
	def("each", "<o-f:a>", 2, fnEach)
	def("sift", "<o-f?:o>", 2, fnSift)
	def("type", "<x:s>", 1, fnType)
	def("boolean", "<x-:b>", 1, fnBoolean)
	def("not", "<x-:b>", 1, fnNot)
	def("exists", "<x:b>", 1, fnExists)
	def("error", "<s?:x>", 1, fnError)
	def("assert", "<bs?:x>", 2, fnAssert)
}

func spread(v any) any {
	if items, ok := asArray(v); ok {
		var out any = newSeq()
		for _, it := range items {
			out = appendValues(out, spread(it))
		}
		return out
	}
	if m, ok := asObject(v); ok {
		out := newSeq()
		for k, mv := range m.All() {
			o := newObject(1)
			o.Set(k, mv)
			out.items = append(out.items, o)
		}
		return out
	}
	return v
}

func defineHigherOrder(def definer) {
	def("map", "<af>", 2, fnMap)
	def("filter", "<af>", 2, fnFilter)
	def("single", "<af?>", 2, fnSingle)
	def("reduce", "<afj?:j>", 3, fnReduce)
}

func fnSum(_ *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok {
		return undefined, nil
	}
	total := 0.0
	for _, it := range items {
		total += num(it)
	}
	return total, nil
}

func fnCount(_ *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok {
		return 0.0, nil
	}
	return float64(len(items)), nil
}

func fnAverage(_ *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok || len(items) == 0 {
		return undefined, nil
	}
	total := 0.0
	for _, it := range items {
		total += num(it)
	}
	return total / float64(len(items)), nil
}

func fnString(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	pretty, _ := arg(args, 1).(bool)
	return castStringPretty(v, pretty)
}

func fnLength(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	return float64(utf8.RuneCountInString(s)), nil
}

func fnSubstring(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	rs := runes(s)
	n := len(rs)
	start := int(math.Trunc(num(arg(args, 1))))
	if n+start < 0 {
		start = 0
	}
	if start < 0 {
		start += n
	}
	if start > n {
		start = n
	}
	if l := arg(args, 2); !isUndef(l) {
		length := int(math.Trunc(num(l)))
		if length <= 0 {
			return "", nil
		}
		end := min(start+length, n)
		return string(rs[start:end]), nil
	}
	return string(rs[start:]), nil
}

func fnSubstringBefore(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	chars, _ := arg(args, 1).(string)
	if i := strings.Index(s, chars); i >= 0 {
		return s[:i], nil
	}
	return s, nil
}

func fnSubstringAfter(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	chars, _ := arg(args, 1).(string)
	if i := strings.Index(s, chars); i >= 0 {
		return s[i+len(chars):], nil
	}
	return s, nil
}

func fnPad(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	width := int(math.Trunc(num(arg(args, 1))))
	char, _ := arg(args, 2).(string)
	if char == "" {
		char = " "
	}
	padLen := absInt(width) - utf8.RuneCountInString(s)
	if padLen <= 0 {
		return s, nil
	}
	if padLen > maxStringLen {
		// Guard the process: no Step Functions payload can hold such a string anyway.
		return nil, errorf("D3150", "The width of $pad must not exceed %d", maxStringLen)
	}
	padding := string(runes(strings.Repeat(char, padLen))[:padLen])
	if width > 0 {
		return s + padding, nil
	}
	return padding + s, nil
}

func fnContains(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	switch p := arg(args, 1).(type) {
	case string:
		return strings.Contains(s, p), nil
	case *regexValue:
		return p.re.MatchString(s), nil
	}
	return nil, errorf("T0410", "Argument 2 of function \"contains\" does not match function signature")
}

func fnSplit(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	limit := -1
	if l := arg(args, 2); !isUndef(l) {
		f := num(l)
		if f < 0 {
			return nil, errorf("D3020", "Third argument of split function must evaluate to a positive number")
		}
		limit = int(math.Floor(f))
	}
	var parts []string
	switch sep := arg(args, 1).(type) {
	case undefType:
		return undefined, nil
	case string:
		if sep == "" {
			for _, r := range s {
				parts = append(parts, string(r))
			}
		} else {
			parts = strings.Split(s, sep)
		}
	case *regexValue:
		parts = sep.re.Split(s, -1)
	}
	if limit >= 0 && len(parts) > limit {
		parts = parts[:limit]
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func fnJoin(_ *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok {
		return undefined, nil
	}
	sep, _ := arg(args, 1).(string)
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i], _ = it.(string)
	}
	return strings.Join(parts, sep), nil
}

func fnMatch(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	re, ok := arg(args, 1).(*regexValue)
	if !ok {
		return nil, errorf("T0410", "Argument 2 of function \"match\" does not match function signature")
	}
	limit := -1
	if l := arg(args, 2); !isUndef(l) {
		if num(l) < 0 {
			return nil, errorf("D3040", "Third argument of match function must evaluate to a positive number")
		}
		limit = int(num(l))
	}
	out := newSeq()
	for _, m := range re.re.FindAllStringSubmatchIndex(s, limit) {
		out.items = append(out.items, matchObject(s, m))
	}
	return out, nil
}

func fnBase64decode(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return nil, errorf("D3137", "Invalid base64 string")
		}
	}
	return string(b), nil
}

func fnNumber(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	if f, ok := toNumber(v); ok {
		return f, nil
	}
	switch x := v.(type) {
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		if numberString.MatchString(x) {
			if f, err := strconv.ParseFloat(x, 64); err == nil && !math.IsInf(f, 0) {
				return f, nil
			}
		}
		if len(x) > 2 && x[0] == '0' {
			base := 0
			switch x[1] {
			case 'x', 'X':
				base = 16
			case 'o', 'O':
				base = 8
			case 'b', 'B':
				base = 2
			}
			if base != 0 {
				if i, err := strconv.ParseUint(x[2:], base, 64); err == nil {
					return float64(i), nil
				}
			}
		}
	}
	return nil, errorf("D3030", "Unable to cast value to a number: %s", mustStringify(v))
}

func fnRound(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	prec := 0
	if p := arg(args, 1); !isUndef(p) {
		prec = int(num(p))
	}
	return roundHalfEven(num(v), prec), nil
}

func fnSqrt(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	if num(v) < 0 {
		return nil, errorf("D3060", "The sqrt function cannot be applied to a negative number: %s", mustStringify(v))
	}
	return math.Sqrt(num(v)), nil
}

func fnPower(_ *evaluator, args []any, _ any) (any, error) {
	b, x := arg(args, 0), arg(args, 1)
	if isUndef(b) {
		return undefined, nil
	}
	r := math.Pow(num(b), num(x))
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return nil, errorf("D3061", "The power function has resulted in a value that cannot be represented as a JSON number: base=%s, exponent=%s", mustStringify(b), mustStringify(x))
	}
	return r, nil
}

func fnFormatBase(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	radix := 10
	if r := arg(args, 1); !isUndef(r) {
		radix = int(num(r))
	}
	if radix < 2 || radix > 36 {
		return nil, errorf("D3100", "The radix of the formatBase function must be between 2 and 36.  It was given %d", radix)
	}
	return strconv.FormatInt(int64(roundHalfEven(num(v), 0)), radix), nil
}

func fnFormatNumber(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	pic, _ := arg(args, 1).(string)
	opts, _ := asObject(arg(args, 2))
	return formatNumberPicture(num(v), pic, opts)
}

func fnAppend(_ *evaluator, args []any, _ any) (any, error) {
	return appendValues(arg(args, 0), arg(args, 1)), nil
}

func fnReverse(_ *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok {
		return undefined, nil
	}
	out := make([]any, len(items))
	for i, it := range items {
		out[len(items)-1-i] = it
	}
	return out, nil
}

func fnShuffle(e *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok {
		return undefined, nil
	}
	out := append([]any{}, items...)
	e.random().Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, nil
}

func fnDistinct(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	items, ok := asArray(v)
	if !ok || len(items) <= 1 {
		return v, nil
	}
	var out []any
	for _, it := range items {
		dup := false
		for _, o := range out {
			if deepEqual(it, o) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, it)
		}
	}
	if isSequence(v) {
		return newSeq(out...), nil
	}
	return out, nil
}

func fnSort(e *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	items, ok := asArray(v)
	if !ok {
		return undefined, nil
	}
	if len(items) <= 1 {
		return v, nil
	}
	var sortErr error
	var less func(a, b any) bool
	if fn := arg(args, 1); !isUndef(fn) {
		less = func(a, b any) bool {
			r, err := e.callHOF(fn, b, a)
			if err != nil {
				sortErr = err
			}
			return truthy(r)
		}
	} else {
		allNum, allStr := true, true
		for _, it := range items {
			if _, ok := toNumber(it); !ok {
				allNum = false
			}
			if _, ok := it.(string); !ok {
				allStr = false
			}
		}
		if !allNum && !allStr {
			return nil, errorf("D3070", "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function")
		}
		less = func(a, b any) bool {
			if allNum {
				return num(a) < num(b)
			}
			return a.(string) < b.(string)
		}
	}
	out := mergeSort(items, less)
	if sortErr != nil {
		return nil, sortErr
	}
	return out, nil
}

func fnZip(_ *evaluator, args []any, _ any) (any, error) {
	if len(args) == 0 {
		return []any{}, nil
	}
	shortest := math.MaxInt
	arrays := make([][]any, len(args))
	for i, a := range args {
		items, _ := asArray(a)
		arrays[i] = items
		shortest = min(shortest, len(items))
	}
	out := make([]any, 0, shortest)
	for i := 0; i < shortest; i++ {
		tuple := make([]any, len(arrays))
		for j := range arrays {
			tuple[j] = arrays[j][i]
		}
		out = append(out, tuple)
	}
	return out, nil
}

func fnKeys(_ *evaluator, args []any, _ any) (any, error) {
	out := newSeq()
	seen := map[string]bool{}
	// The keys of an array are those of its objects, at any depth, each once.
	var add func(v any)
	add = func(v any) {
		if items, ok := asArray(v); ok {
			for _, it := range items {
				add(it)
			}
			return
		}
		if m, ok := asObject(v); ok {
			for k := range m.All() {
				if !seen[k] {
					seen[k] = true
					out.items = append(out.items, k)
				}
			}
		}
	}
	add(arg(args, 0))
	return out, nil
}

func fnLookup(_ *evaluator, args []any, _ any) (any, error) {
	key, _ := arg(args, 1).(string)
	return lookupField(arg(args, 0), key), nil
}

func fnSpread(_ *evaluator, args []any, _ any) (any, error) {
	return spread(arg(args, 0)), nil
}

func fnMerge(_ *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok {
		return undefined, nil
	}
	out := newObject(0)
	for _, it := range items {
		if m, ok := asObject(it); ok {
			for k, v := range m.All() {
				out.Set(k, v)
			}
		}
	}
	return out, nil
}

func fnEach(e *evaluator, args []any, _ any) (any, error) {
	obj := arg(args, 0)
	m, ok := asObject(obj)
	if !ok {
		return undefined, nil
	}
	out := newSeq()
	for k, v := range m.All() {
		r, err := e.callHOF(arg(args, 1), v, k, obj)
		if err != nil {
			return nil, err
		}
		if !isUndef(r) {
			out.items = append(out.items, r)
		}
	}
	return out, nil
}

func fnSift(e *evaluator, args []any, _ any) (any, error) {
	obj := arg(args, 0)
	m, ok := asObject(obj)
	if !ok {
		return undefined, nil
	}
	out := newObject(0)
	for k, v := range m.All() {
		r, err := e.callHOF(arg(args, 1), v, k, obj)
		if err != nil {
			return nil, err
		}
		if truthy(r) {
			out.Set(k, v)
		}
	}
	if out.Len() == 0 {
		return undefined, nil
	}
	return out, nil
}

func fnType(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	return typeName(v), nil
}

func fnBoolean(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	return truthy(v), nil
}

func fnNot(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	return !truthy(v), nil
}

func fnExists(_ *evaluator, args []any, _ any) (any, error) {
	return !isUndef(arg(args, 0)), nil
}

func fnError(_ *evaluator, args []any, _ any) (any, error) {
	msg, ok := arg(args, 0).(string)
	if !ok {
		msg = "$error() function evaluated"
	}
	return nil, errorf("D3137", "%s", msg)
}

func fnAssert(_ *evaluator, args []any, _ any) (any, error) {
	if c, _ := arg(args, 0).(bool); c {
		return undefined, nil
	}
	msg, ok := arg(args, 1).(string)
	if !ok {
		msg = "$assert() statement failed"
	}
	return nil, errorf("D3141", "%s", msg)
}

func fnMap(e *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok {
		return undefined, nil
	}
	out := newSeq()
	for i, it := range items {
		r, err := e.callHOF(arg(args, 1), it, float64(i), items)
		if err != nil {
			return nil, err
		}
		if !isUndef(r) {
			out.items = append(out.items, r)
		}
	}
	return out, nil
}

func fnFilter(e *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok {
		return undefined, nil
	}
	out := newSeq()
	for i, it := range items {
		r, err := e.callHOF(arg(args, 1), it, float64(i), items)
		if err != nil {
			return nil, err
		}
		if truthy(r) {
			out.items = append(out.items, it)
		}
	}
	return out, nil
}

func fnSingle(e *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok {
		return undefined, nil
	}
	var found any = undefined
	hits := 0
	for i, it := range items {
		pass := true
		if fn := arg(args, 1); !isUndef(fn) {
			r, err := e.callHOF(fn, it, float64(i), items)
			if err != nil {
				return nil, err
			}
			pass = truthy(r)
		}
		if pass {
			hits++
			if hits > 1 {
				return nil, errorf("D3138", "The $single() function expected exactly 1 matching result.  Instead it matched more.")
			}
			found = it
		}
	}
	if hits == 0 {
		return nil, errorf("D3139", "The $single() function expected exactly 1 matching result.  Instead it matched 0.")
	}
	return found, nil
}

func fnReduce(e *evaluator, args []any, _ any) (any, error) {
	items, ok := asArray(arg(args, 0))
	if !ok {
		return undefined, nil
	}
	fn := arg(args, 1)
	if arity(fn) < 2 {
		return nil, errorf("D3050", "The second argument of reduce function must be a function with at least two arguments")
	}
	acc := arg(args, 2)
	i := 0
	if isUndef(acc) && len(items) > 0 {
		acc = items[0]
		i = 1
	}
	for ; i < len(items); i++ {
		r, err := e.callHOF(fn, acc, items[i], float64(i), items)
		if err != nil {
			return nil, err
		}
		acc = r
	}
	return acc, nil
}
