package intrinsic

import (
	"crypto/md5" //nolint:gosec // States.Hash offers MD5 because Step Functions does
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // States.Hash offers SHA-1 because Step Functions does
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	mrand "math/rand/v2"
	"strings"
	"unicode/utf8"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

type function struct {
	minArgs int
	maxArgs int // -1: unbounded
	check   func(c *Call) error
	eval    func(c *Call, args []any) (any, error)
}

func (f *function) arity() string {
	switch {
	case f.maxArgs < 0:
		return fmt.Sprintf("at least %d argument(s)", f.minArgs)
	case f.minArgs == f.maxArgs:
		return fmt.Sprintf("exactly %d argument(s)", f.minArgs)
	default:
		return fmt.Sprintf("%d to %d arguments", f.minArgs, f.maxArgs)
	}
}

// Limits AWS documents for intrinsic functions.
const (
	maxArrayRangeItems = 1000
	maxBase64Input     = 10000
	maxHashInput       = 10000
)

// functions is the immutable table of supported intrinsics, keyed by name without "States.".
var functions = map[string]*function{
	"Format":         {minArgs: 1, maxArgs: -1, check: checkFormat, eval: evalFormat},
	"StringToJson":   {minArgs: 1, maxArgs: 1, eval: evalStringToJSON},
	"JsonToString":   {minArgs: 1, maxArgs: 1, eval: evalJSONToString},
	"Array":          {minArgs: 0, maxArgs: -1, eval: evalArray},
	"ArrayPartition": {minArgs: 2, maxArgs: 2, eval: evalArrayPartition},
	"ArrayContains":  {minArgs: 2, maxArgs: 2, eval: evalArrayContains},
	"ArrayRange":     {minArgs: 3, maxArgs: 3, eval: evalArrayRange},
	"ArrayGetItem":   {minArgs: 2, maxArgs: 2, eval: evalArrayGetItem},
	"ArrayLength":    {minArgs: 1, maxArgs: 1, eval: evalArrayLength},
	"ArrayUnique":    {minArgs: 1, maxArgs: 1, eval: evalArrayUnique},
	"Base64Encode":   {minArgs: 1, maxArgs: 1, eval: evalBase64Encode},
	"Base64Decode":   {minArgs: 1, maxArgs: 1, eval: evalBase64Decode},
	"Hash":           {minArgs: 2, maxArgs: 2, eval: evalHash},
	"JsonMerge":      {minArgs: 3, maxArgs: 3, eval: evalJSONMerge},
	"MathRandom":     {minArgs: 2, maxArgs: 3, eval: evalMathRandom},
	"MathAdd":        {minArgs: 2, maxArgs: 2, eval: evalMathAdd},
	"StringSplit":    {minArgs: 2, maxArgs: 2, eval: evalStringSplit},
	"UUID":           {minArgs: 0, maxArgs: 0, eval: evalUUID},
}

// --- argument helpers ---

func wantString(c *Call, args []any, i int) (string, error) {
	s, ok := args[i].(string)
	if !ok {
		return "", failf("Invalid arguments in %s: argument %d must be a string, but was %s: %s",
			c.Name(), i+1, value.TypeName(args[i]), value.MustString(args[i]))
	}
	return s, nil
}

func wantArray(c *Call, args []any, i int) ([]any, error) {
	a, ok := args[i].([]any)
	if !ok {
		return nil, failf("Invalid arguments in %s: argument %d must be an array, but was %s: %s",
			c.Name(), i+1, value.TypeName(args[i]), value.MustString(args[i]))
	}
	return a, nil
}

func wantNumber(c *Call, args []any, i int) (float64, error) {
	f, ok := value.Float(args[i])
	if !ok {
		return 0, failf("Invalid arguments in %s: argument %d must be a number, but was %s: %s",
			c.Name(), i+1, value.TypeName(args[i]), value.MustString(args[i]))
	}
	return f, nil
}

// wantInt accepts numbers with an integral value only.
func wantInt(c *Call, args []any, i int) (int64, error) {
	f, err := wantNumber(c, args, i)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return 0, failf("Invalid arguments in %s: argument %d must be an integer, but was %s",
			c.Name(), i+1, value.MustString(args[i]))
	}
	return int64(f), nil
}

// javaRound is Java's Math.round: halves round towards positive infinity.
func javaRound(f float64) float64 { return math.Floor(f + 0.5) }

// --- Format ---

func checkFormat(c *Call) error {
	first := &c.args[0]
	if first.kind == argLiteral {
		if _, ok := first.lit.(string); !ok {
			return errors.New("the first argument must be a string")
		}
		c.pieces = splitTemplate(first.raw, true)
	}
	return nil
}

func evalFormat(c *Call, args []any) (any, error) {
	pieces := c.pieces // text between placeholders
	if pieces == nil {
		tmpl, err := wantString(c, args, 0)
		if err != nil {
			return nil, err
		}
		pieces = splitTemplate(tmpl, false)
	}
	values := args[1:]
	if len(pieces)-1 != len(values) {
		return nil, failf("Invalid arguments in %s: the format string has %d placeholder(s) but %d value(s) were given",
			c.Name(), len(pieces)-1, len(values))
	}
	var b strings.Builder
	n := 0
	for _, piece := range pieces {
		n += len(piece) + 8
	}
	b.Grow(n)
	for i, piece := range pieces {
		b.WriteString(piece)
		if i < len(values) {
			value.WriteJava(&b, values[i])
		}
	}
	return b.String(), nil
}

// splitTemplate cuts a format string at each "{}". In literals a backslash escapes the next
// character, so "\{}" is text, not a placeholder.
func splitTemplate(s string, escapes bool) []string {
	var pieces []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escapes && c == '\\' && i+1 < len(s):
			b.WriteByte(s[i+1])
			i++
		case c == '{' && i+1 < len(s) && s[i+1] == '}':
			pieces = append(pieces, b.String())
			b.Reset()
			i++
		default:
			b.WriteByte(c)
		}
	}
	return append(pieces, b.String())
}

// --- JSON ---

func evalStringToJSON(c *Call, args []any) (any, error) {
	s, err := wantString(c, args, 0)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	v, err := value.Decode([]byte(s))
	if err != nil {
		return nil, failf("Invalid arguments in %s: the string %s is not valid JSON", c.Name(), value.MustString(s))
	}
	return v, nil
}

func evalJSONToString(_ *Call, args []any) (any, error) {
	b, err := value.Marshal(args[0])
	if err != nil {
		return nil, fmt.Errorf("JsonToString: %w", err)
	}
	return string(b), nil
}

func evalJSONMerge(c *Call, args []any) (any, error) {
	deep, ok := args[2].(bool)
	if !ok {
		return nil, failf("Invalid arguments in %s: the third argument must be a boolean, but was %s",
			c.Name(), value.MustString(args[2]))
	}
	if deep {
		return nil, failf("Invalid arguments in %s: only the shallow merging mode is supported; "+
			"the third argument must be false", c.Name())
	}
	fst, ok1 := args[0].(*value.Object)
	snd, ok2 := args[1].(*value.Object)
	if !ok1 || !ok2 {
		bad := args[0]
		if ok1 {
			bad = args[1]
		}
		return nil, failf("Invalid arguments in %s: the arguments to merge must be JSON objects, but got %s",
			c.Name(), value.MustString(bad))
	}
	// AWS merges into a java.util.HashMap: the second object's value wins, and the members come
	// out in that map's order (see value.JavaHashOrder).
	merged := fst.CloneWithRoom(snd.Len())
	for k, v := range snd.All() {
		merged.Set(k, v)
	}
	keys := value.JavaHashOrder(merged.Keys())
	out := value.NewObject(len(keys))
	for _, k := range keys {
		out.Set(k, merged.Value(k))
	}
	return out, nil
}

// --- arrays ---

func evalArray(_ *Call, args []any) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	return out, nil
}

func evalArrayPartition(c *Call, args []any) (any, error) {
	a, err := wantArray(c, args, 0)
	if err != nil {
		return nil, err
	}
	size, err := wantInt(c, args, 1)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, failf("Invalid arguments in %s: the chunk size must be greater than 0, but was %d", c.Name(), size)
	}
	out := make([]any, 0, (len(a)+int(size)-1)/int(size))
	for i := 0; i < len(a); i += int(size) {
		end := min(i+int(size), len(a))
		chunk := make([]any, end-i)
		copy(chunk, a[i:end])
		out = append(out, chunk)
	}
	return out, nil
}

func evalArrayContains(c *Call, args []any) (any, error) {
	a, err := wantArray(c, args, 0)
	if err != nil {
		return nil, err
	}
	for _, x := range a {
		if value.Equal(x, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

func evalArrayRange(c *Call, args []any) (any, error) {
	start, err := wantInt(c, args, 0)
	if err != nil {
		return nil, err
	}
	end, err := wantInt(c, args, 1)
	if err != nil {
		return nil, err
	}
	step, err := wantInt(c, args, 2)
	if err != nil {
		return nil, err
	}
	if step == 0 {
		return nil, failf("Invalid arguments in %s: the step must not be 0", c.Name())
	}
	var n int64
	if (step > 0 && end >= start) || (step < 0 && end <= start) {
		n = (end-start)/step + 1
	}
	if n > maxArrayRangeItems {
		return nil, failf("Invalid arguments in %s: the range would have %d items; at most %d are allowed",
			c.Name(), n, maxArrayRangeItems)
	}
	out := make([]any, n)
	for i := range out {
		out[i] = value.Int(start + int64(i)*step)
	}
	return out, nil
}

func evalArrayGetItem(c *Call, args []any) (any, error) {
	a, err := wantArray(c, args, 0)
	if err != nil {
		return nil, err
	}
	idx, err := wantInt(c, args, 1)
	if err != nil {
		return nil, err
	}
	if idx < 0 || idx >= int64(len(a)) {
		return nil, failf("Invalid arguments in %s: index %d is out of bounds for an array of length %d",
			c.Name(), idx, len(a))
	}
	return a[idx], nil
}

func evalArrayLength(c *Call, args []any) (any, error) {
	a, err := wantArray(c, args, 0)
	if err != nil {
		return nil, err
	}
	return value.Int(int64(len(a))), nil
}

func evalArrayUnique(c *Call, args []any) (any, error) {
	a, err := wantArray(c, args, 0)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(a))
	for _, x := range a {
		dup := false
		for _, y := range out {
			if value.Equal(x, y) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out, nil
}

// --- encoding, hashing ---

func evalBase64Encode(c *Call, args []any) (any, error) {
	s, err := wantString(c, args, 0)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(s) > maxBase64Input {
		return nil, failf("Invalid arguments in %s: the input exceeds %d characters", c.Name(), maxBase64Input)
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func evalBase64Decode(c *Call, args []any) (any, error) {
	s, err := wantString(c, args, 0)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(s) > maxBase64Input {
		return nil, failf("Invalid arguments in %s: the input exceeds %d characters", c.Name(), maxBase64Input)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, failf("Invalid arguments in %s: %s is not a valid Base64 string", c.Name(), value.MustString(s))
	}
	return string(b), nil
}

func evalHash(c *Call, args []any) (any, error) {
	data, ok := args[0].(string)
	if !ok {
		if args[0] == nil {
			return nil, failf("Invalid arguments in %s: the data to hash must not be null", c.Name())
		}
		data = value.MustString(args[0])
	}
	if utf8.RuneCountInString(data) > maxHashInput {
		return nil, failf("Invalid arguments in %s: the input exceeds %d characters", c.Name(), maxHashInput)
	}
	algo, err := wantString(c, args, 1)
	if err != nil {
		return nil, err
	}
	var h hash.Hash
	switch algo {
	case "MD5":
		h = md5.New() //nolint:gosec // the algorithm the definition asks for
	case "SHA-1":
		h = sha1.New() //nolint:gosec // the algorithm the definition asks for
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, failf("Invalid arguments in %s: the hash algorithm %s is not supported; "+
			"use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512", c.Name(), value.MustString(algo))
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// --- math ---

func evalMathAdd(c *Call, args []any) (any, error) {
	a, err := wantNumber(c, args, 0)
	if err != nil {
		return nil, err
	}
	b, err := wantNumber(c, args, 1)
	if err != nil {
		return nil, err
	}
	// AWS rounds each operand to an integer (Java's Math.round) before adding:
	// MathAdd(-0.5, 0.5) is 0 + 1 = 1.
	return value.Number(javaRound(a) + javaRound(b)), nil
}

func evalMathRandom(c *Call, args []any) (any, error) {
	start, err := wantNumber(c, args, 0)
	if err != nil {
		return nil, err
	}
	end, err := wantNumber(c, args, 1)
	if err != nil {
		return nil, err
	}
	lo, hi := int64(javaRound(start)), int64(javaRound(end))
	if hi < lo {
		return nil, failf("Invalid arguments in %s: the start %d must not be greater than the end %d", c.Name(), lo, hi)
	}
	span := uint64(hi-lo) + 1 //nolint:gosec // hi >= lo, so the difference is not negative
	if len(args) == 3 {
		seed, err := wantNumber(c, args, 2)
		if err != nil {
			return nil, err
		}
		// A seeded call is reproducible: same seed, same number.
		// The seed's bits, whatever its sign; States.MathRandom is not for security.
		r := mrand.New(mrand.NewPCG(uint64(int64(javaRound(seed))), 0)) //nolint:gosec // see above
		return value.Int(lo + int64(r.Uint64N(span))), nil              //nolint:gosec // below span, an int64 range
	}
	return value.Int(lo + int64(mrand.Uint64N(span))), nil //nolint:gosec // States.MathRandom is not for security; below span
}

// --- strings ---

// evalStringSplit splits on any of the delimiter's characters and drops empty tokens, as
// Java's StringTokenizer (which AWS uses) does: StringSplit(", , ,", ",") is [" ", " "].
func evalStringSplit(c *Call, args []any) (any, error) {
	s, err := wantString(c, args, 0)
	if err != nil {
		return nil, err
	}
	delims, err := wantString(c, args, 1)
	if err != nil {
		return nil, err
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i] = f
	}
	return out, nil
}

func evalUUID(_ *Call, _ []any) (any, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("UUID: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}
