package jsonata

import (
	"crypto/md5"  //nolint:gosec // $hash offers MD5 because Step Functions does
	"crypto/sha1" //nolint:gosec // $hash offers SHA-1 because Step Functions does
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"strings"
	"time"
)

// isoMillis is JavaScript's Date.prototype.toISOString layout.
const isoMillis = "2006-01-02T15:04:05.000Z07:00"

func isoString(t time.Time) string {
	s := t.UTC().Format(isoMillis)
	return strings.Replace(s, "+00:00", "Z", 1)
}

// isoPicture is the ISO 8601 layout JSONata uses when a timezone but no picture is given.
const isoPicture = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"

// formatMillis is $fromMillis/$now: ISO 8601 in UTC by default, else the picture in the
// timezone ("+hhmm").
func formatMillis(ms int64, picture, tz any) (any, error) {
	t := time.UnixMilli(ms).UTC()
	pic, hasPic := picture.(string)
	tzs, hasTZ := tz.(string)
	if !hasPic && !hasTZ {
		return isoString(t), nil
	}
	if hasTZ {
		loc, ok := parseTimezone(tzs)
		if !ok {
			return nil, errorf("D3134", "The timezone %q is not a valid offset (+hhmm)", tzs)
		}
		t = t.In(loc)
	}
	if !hasPic {
		pic = isoPicture
	}
	return formatDateTime(t, pic)
}

func defineDates(def definer) {
	def("now", "<s?s?:s>", 2, fnNow)
	def("millis", "<:n>", 0, fnMillis)
	def("fromMillis", "<n-s?s?:s>", 3, fnFromMillis)
	def("toMillis", "<s-s?:n>", 2, fnToMillis)
	def("formatInteger", "<n-s:s>", 2, fnFormatInteger)
	def("parseInteger", "<s-s:n>", 2, fnParseInteger)
}

// parseISO accepts the ISO 8601 forms JavaScript's Date parses: a date, or a date and time
// with optional seconds, fraction and offset (UTC when absent).
func parseISO(s string) (time.Time, error) {
	layouts := []string{
		time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02", "2006-01", "2006",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("parse %q as ISO 8601", s)
}

// defineStepFunctions adds the functions AWS Step Functions provides on top of JSONata; $random
// replaces the standard one to accept a seed. ($eval is deliberately absent: Step Functions does
// not offer it.)
func defineStepFunctions(def definer) {
	def("random", "<n?:n>", 1, fnRandom)
	// The Step Functions functions below follow what Step Functions answers rather than the
	// intrinsic functions they replace: non-integral numbers are truncated towards zero, an
	// argument that makes no result possible yields undefined, and wrong values fail with D3137.
	def("partition", "<xn?:a>", 2, fnPartition)
	def("range", "<nnn?:a<n>>", 3, fnRange)
	def("hash", "<ss?:s>", 2, fnHash)
	def("uuid", "<:s>", 0, fnUuid)
	def("parse", "<s-:j>", 1, fnParse)
}

// javaRandomDouble is new java.util.Random(seed).nextDouble(): a 48-bit linear congruential
// generator, 53 bits drawn as 26 + 27.
func javaRandomDouble(seed int64) float64 {
	const (
		multiplier = 0x5DEECE66D
		addend     = 0xB
		mask       = 1<<48 - 1
	)
	state := (uint64(seed) ^ multiplier) & mask //nolint:gosec // the seed's bits, as Java takes them
	next := func(bits uint) uint64 {
		state = (state*multiplier + addend) & mask
		return state >> (48 - bits)
	}
	hi := next(26)
	lo := next(27)
	return float64(hi<<27+lo) / (1 << 53)
}

// parseJSON is $parse: one JSON document (nothing after it, no repeated keys, as Step Functions
// insists), with objects keeping their key order for $string and $keys.
func parseJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON document")
	}
	return v, nil
}

func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("decode json: %w", err)
	}
	switch tok {
	case json.Delim('{'):
		return decodeOrderedObject(dec)
	case json.Delim('['):
		return decodeOrderedArray(dec)
	}
	if d, ok := tok.(json.Delim); ok {
		return nil, fmt.Errorf("decode json: unexpected %v", d)
	}
	return tok, nil
}

func decodeOrderedObject(dec *json.Decoder) (any, error) {
	o := newObject(4)
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("decode json: %w", err)
		}
		k, _ := kt.(string)
		if o.Has(k) {
			return nil, fmt.Errorf("decode json: duplicate key %q", k)
		}
		v, err := decodeOrdered(dec)
		if err != nil {
			return nil, err
		}
		o.Set(k, v)
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, fmt.Errorf("decode json: %w", err)
	}
	return o, nil
}

func decodeOrderedArray(dec *json.Decoder) (any, error) {
	out := []any{}
	for dec.More() {
		v, err := decodeOrdered(dec)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, fmt.Errorf("decode json: %w", err)
	}
	return out, nil
}

func fnNow(e *evaluator, args []any, _ any) (any, error) {
	return formatMillis(e.now.UnixMilli(), arg(args, 0), arg(args, 1))
}

func fnMillis(e *evaluator, _ []any, _ any) (any, error) {
	return float64(e.now.UnixMilli()), nil
}

func fnFromMillis(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	return formatMillis(int64(math.Floor(num(v))), arg(args, 1), arg(args, 2))
}

func fnToMillis(e *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	if pic, ok := arg(args, 1).(string); ok {
		t, matched, err := parseDateTime(s, pic, e.now.UTC())
		if err != nil || !matched {
			return undefined, err
		}
		return float64(t.UnixMilli()), nil
	}
	t, err := parseISO(s)
	if err != nil {
		return nil, errorf("D3110", "The timestamp %q cannot be parsed", s)
	}
	return float64(t.UnixMilli()), nil
}

func fnFormatInteger(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	pic, _ := arg(args, 1).(string)
	return formatInteger(int64(math.Floor(num(v))), pic), nil
}

func fnParseInteger(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	pic, _ := arg(args, 1).(string)
	n, ok := parseIntegerPicture(s, pic)
	if !ok {
		return math.NaN(), nil // what Step Functions answers for text the picture cannot read
	}
	return n, nil
}

func fnRandom(e *evaluator, args []any, _ any) (any, error) {
	if seed := arg(args, 0); !isUndef(seed) {
		// Step Functions draws a seeded $random from java.util.Random, so the same seed gives
		// the same number there and here ($random(42) = 0.7275636800328681).
		return javaRandomDouble(int64(num(seed))), nil
	}
	return e.random().Float64(), nil
}

func fnPartition(_ *evaluator, args []any, _ any) (any, error) {
	v := arg(args, 0)
	if isUndef(v) {
		return undefined, nil
	}
	items, ok := asArray(v)
	if !ok {
		return nil, errorf("T0412", "Argument 1 of function %q must be an array of %q", "partition", "undefined")
	}
	if len(items) == 0 {
		return undefined, nil
	}
	sizeArg := arg(args, 1)
	if isUndef(sizeArg) {
		return []any{append([]any{}, items...)}, nil
	}
	size := math.Trunc(num(sizeArg))
	switch {
	case size < 0:
		return nil, errorf("D3137", "Second argument must be zero or greater")
	case size == 0:
		return undefined, nil
	}
	n := int(min(size, float64(len(items))))
	out := make([]any, 0, (len(items)+n-1)/n)
	for i := 0; i < len(items); i += n {
		out = append(out, append([]any{}, items[i:min(i+n, len(items))]...))
	}
	return out, nil
}

func fnRange(_ *evaluator, args []any, _ any) (any, error) {
	start, end := math.Trunc(num(arg(args, 0))), math.Trunc(num(arg(args, 1)))
	stepArg := arg(args, 2)
	if isUndef(stepArg) {
		return undefined, nil
	}
	step := math.Trunc(num(stepArg))
	if step == 0 || step > 0 && start > end || step < 0 && start < end {
		return undefined, nil
	}
	count := math.Floor((end-start)/step) + 1
	if count > 1e7 {
		return nil, errorf("D2014", "The size of the sequence allocated by $range must not exceed 1e7.  Attempted to allocate %s.", formatNumber(count))
	}
	// A sequence: a one-element range is that element, as Step Functions answers.
	out := newSeq()
	for i := 0.0; i < count; i++ {
		out.items = append(out.items, start+i*step)
	}
	return out, nil
}

func fnHash(_ *evaluator, args []any, _ any) (any, error) {
	data, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	alg, ok := arg(args, 1).(string)
	if !ok {
		return undefined, nil
	}
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New() //nolint:gosec // requested algorithm
	case "SHA-1":
		h = sha1.New() //nolint:gosec // requested algorithm
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, errorf("D3137", "Hash algorithm '%s' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5", alg)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnUuid(e *evaluator, _ []any, _ any) (any, error) {
	var b [16]byte
	for i := range b {
		b[i] = byte(e.random().UintN(256)) //nolint:gosec // below 256
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

func fnParse(_ *evaluator, args []any, _ any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	v, err := parseJSON(s)
	if err != nil {
		return nil, errorf("D3137", "Invalid JSON")
	}
	return v, nil
}
