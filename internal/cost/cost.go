// Package cost is the cost meter: what one request would add to the AWS bill at list prices for a
// region, from a dated price file in prices/ and a Usage record (counts and sizes) per request.
//
// It models how each service bills, not just its price: Express executions by request and by
// duration rounded up to 100 ms times memory in 64 MB chunks; Lambda by request and by GB-second
// of configured memory at 1 ms granularity (arm64); DynamoDB on demand by request units from item
// sizes (4 KB per read unit, half a unit when eventually consistent; 1 KB per write unit); API
// Gateway REST by request; X-Ray by trace recorded; CloudWatch Logs by bytes ingested. Free tiers,
// volume tiers, data transfer and per-month charges (custom metrics, alarms, storage) are left out:
// the meter answers "what does one more request cost".
package cost

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

//go:embed prices/*.json
var priceFiles embed.FS

// Prices is one region's price file. Prices are in Currency (USD).
type Prices struct {
	Region   string            `json:"region"`
	Currency string            `json:"currency"`
	Date     string            `json:"date"` // YYYY-MM-DD: when the prices were written down
	Note     string            `json:"note"`
	Sources  map[string]string `json:"sources"`

	APIGatewayRestPerMillionRequests       float64 `json:"apiGatewayRestPerMillionRequests"`
	StepFunctionsExpressPerMillionRequests float64 `json:"stepFunctionsExpressPerMillionRequests"`
	StepFunctionsExpressPerGBSecond        float64 `json:"stepFunctionsExpressPerGBSecond"`
	LambdaPerMillionRequests               float64 `json:"lambdaPerMillionRequests"`
	LambdaArm64PerGBSecond                 float64 `json:"lambdaArm64PerGBSecond"`
	DynamoDBPerMillionReadRequestUnits     float64 `json:"dynamoDBPerMillionReadRequestUnits"`
	DynamoDBPerMillionWriteRequestUnits    float64 `json:"dynamoDBPerMillionWriteRequestUnits"`
	XRayPerMillionTracesRecorded           float64 `json:"xrayPerMillionTracesRecorded"`
	CloudWatchLogsPerGBIngested            float64 `json:"cloudWatchLogsPerGBIngested"`
}

// LoadPrices returns the price file of region from the repository (internal/cost/prices).
func LoadPrices(region string) (Prices, error) {
	b, err := priceFiles.ReadFile("prices/" + region + ".json")
	if err != nil {
		return Prices{}, fmt.Errorf("cost: no price file for region %q in internal/cost/prices", region)
	}
	return ParsePrices(b)
}

// ParsePrices decodes and checks a price file: every price present and positive, a date, a source
// per price.
func ParsePrices(b []byte) (Prices, error) {
	var p Prices
	if err := json.Unmarshal(b, &p); err != nil {
		return Prices{}, fmt.Errorf("cost: price file: %w", err)
	}
	if p.Region == "" || p.Currency != "USD" {
		return Prices{}, errors.New("cost: price file: region is required and currency must be USD")
	}
	if _, err := time.Parse(time.DateOnly, p.Date); err != nil {
		return Prices{}, errors.New("cost: price file: date must be YYYY-MM-DD")
	}
	for name, v := range p.byName() {
		if !(v > 0) || math.IsInf(v, 0) {
			return Prices{}, fmt.Errorf("cost: price file: %s must be a positive number", name)
		}
		if p.Sources[name] == "" {
			return Prices{}, fmt.Errorf("cost: price file: sources.%s must name the pricing page", name)
		}
	}
	return p, nil
}

func (p Prices) byName() map[string]float64 {
	return map[string]float64{
		"apiGatewayRestPerMillionRequests":       p.APIGatewayRestPerMillionRequests,
		"stepFunctionsExpressPerMillionRequests": p.StepFunctionsExpressPerMillionRequests,
		"stepFunctionsExpressPerGBSecond":        p.StepFunctionsExpressPerGBSecond,
		"lambdaPerMillionRequests":               p.LambdaPerMillionRequests,
		"lambdaArm64PerGBSecond":                 p.LambdaArm64PerGBSecond,
		"dynamoDBPerMillionReadRequestUnits":     p.DynamoDBPerMillionReadRequestUnits,
		"dynamoDBPerMillionWriteRequestUnits":    p.DynamoDBPerMillionWriteRequestUnits,
		"xrayPerMillionTracesRecorded":           p.XRayPerMillionTracesRecorded,
		"cloudWatchLogsPerGBIngested":            p.CloudWatchLogsPerGBIngested,
	}
}

// Usage is what one request makes AWS do. Durations are what the service measures (the Express
// execution from start to end; the Lambda handler's run).
type Usage struct {
	APIRequests    int          `json:"apiRequests"`
	Express        []Execution  `json:"express,omitempty"`
	Lambda         []Invocation `json:"lambda,omitempty"`
	DynamoDBReads  []Read       `json:"dynamoDBReads,omitempty"`
	DynamoDBWrites []Write      `json:"dynamoDBWrites,omitempty"`
	// ReadRequestUnits and WriteRequestUnits are units DynamoDB reported (ConsumedCapacity),
	// added to those computed from DynamoDBReads and DynamoDBWrites.
	ReadRequestUnits  float64 `json:"readRequestUnits,omitempty"`
	WriteRequestUnits float64 `json:"writeRequestUnits,omitempty"`
	// TracesRecorded is traces X-Ray records for the request: 1 when every request is sampled, the
	// sampled fraction otherwise (X-Ray's default rule: the first request each second, then 5 %).
	TracesRecorded float64 `json:"tracesRecorded"`
	LogBytes       int64   `json:"logBytes"`
}

// Execution is one Express execution (a nested StartSyncExecution is one more).
type Execution struct {
	Name       string  `json:"name,omitempty"`
	DurationMs float64 `json:"durationMs"`
	// MemoryMB is the execution's memory use (AWS: 50 MB + definition + data per Parallel or Map
	// branch); 0 means the 64 MB minimum.
	MemoryMB float64 `json:"memoryMB,omitempty"`
}

// Invocation is one Lambda invocation on arm64.
type Invocation struct {
	Name       string  `json:"name,omitempty"`
	MemoryMB   int     `json:"memoryMB"` // the configured memory
	DurationMs float64 `json:"durationMs"`
}

// Read is one DynamoDB read request (GetItem, or a Query over items totalling Bytes).
type Read struct {
	Bytes  int  `json:"bytes"`
	Strong bool `json:"strong,omitempty"` // strongly consistent
}

// Write is one DynamoDB single-item write (PutItem, UpdateItem, DeleteItem; a failed conditional
// write is billed too). Bytes is the larger of the item before and after.
type Write struct {
	Bytes int `json:"bytes"`
}

// Breakdown is a request's cost in USD per service, and the units it was computed from.
type Breakdown struct {
	APIGateway      float64 `json:"apiGateway"`
	ExpressRequests float64 `json:"expressRequests"`
	ExpressDuration float64 `json:"expressDuration"`
	LambdaRequests  float64 `json:"lambdaRequests"`
	LambdaDuration  float64 `json:"lambdaDuration"`
	DynamoDBReads   float64 `json:"dynamoDBReads"`
	DynamoDBWrites  float64 `json:"dynamoDBWrites"`
	XRay            float64 `json:"xray"`
	Logs            float64 `json:"logs"`
	Total           float64 `json:"total"`

	ExpressGBSeconds  float64 `json:"expressGBSeconds"`
	LambdaGBSeconds   float64 `json:"lambdaGBSeconds"`
	ReadRequestUnits  float64 `json:"readRequestUnits"`
	WriteRequestUnits float64 `json:"writeRequestUnits"`
}

const (
	million = 1e6
	// gib: AWS bills data volumes and memory in binary units (1 GB = 1,024 MB = 2^30 bytes).
	gib = 1 << 30
)

// Cost prices u. It fails on negative counts, sizes or durations and on Lambda memory outside
// 128-10,240 MB, naming the field.
func (p Prices) Cost(u Usage) (Breakdown, error) {
	if err := u.check(); err != nil {
		return Breakdown{}, err
	}
	var b Breakdown
	b.APIGateway = float64(u.APIRequests) * p.APIGatewayRestPerMillionRequests / million

	for _, e := range u.Express {
		// Express bills memory in 64 MB chunks (at least one) and duration rounded up to 100 ms.
		mb := math.Max(64, math.Ceil(e.MemoryMB/64)*64)
		ms := math.Ceil(e.DurationMs/100) * 100
		b.ExpressGBSeconds += mb / 1024 * ms / 1000
	}
	b.ExpressRequests = float64(len(u.Express)) * p.StepFunctionsExpressPerMillionRequests / million
	b.ExpressDuration = b.ExpressGBSeconds * p.StepFunctionsExpressPerGBSecond

	for _, l := range u.Lambda {
		// Lambda bills duration rounded up to the millisecond.
		b.LambdaGBSeconds += float64(l.MemoryMB) / 1024 * math.Ceil(l.DurationMs) / 1000
	}
	b.LambdaRequests = float64(len(u.Lambda)) * p.LambdaPerMillionRequests / million
	b.LambdaDuration = b.LambdaGBSeconds * p.LambdaArm64PerGBSecond

	for _, r := range u.DynamoDBReads {
		units := math.Max(1, math.Ceil(float64(r.Bytes)/4096))
		if !r.Strong {
			units /= 2
		}
		b.ReadRequestUnits += units
	}
	for _, w := range u.DynamoDBWrites {
		b.WriteRequestUnits += math.Max(1, math.Ceil(float64(w.Bytes)/1024))
	}
	b.ReadRequestUnits += u.ReadRequestUnits
	b.WriteRequestUnits += u.WriteRequestUnits
	b.DynamoDBReads = b.ReadRequestUnits * p.DynamoDBPerMillionReadRequestUnits / million
	b.DynamoDBWrites = b.WriteRequestUnits * p.DynamoDBPerMillionWriteRequestUnits / million

	b.XRay = u.TracesRecorded * p.XRayPerMillionTracesRecorded / million
	b.Logs = float64(u.LogBytes) / gib * p.CloudWatchLogsPerGBIngested

	b.Total = b.APIGateway + b.ExpressRequests + b.ExpressDuration + b.LambdaRequests + b.LambdaDuration +
		b.DynamoDBReads + b.DynamoDBWrites + b.XRay + b.Logs
	return b, nil
}

func (u Usage) check() error {
	bad := func(field, rule string) error { return fmt.Errorf("cost: usage: %s %s", field, rule) }
	switch {
	case u.APIRequests < 0:
		return bad("apiRequests", "must not be negative")
	case !(u.TracesRecorded >= 0) || math.IsInf(u.TracesRecorded, 0):
		return bad("tracesRecorded", "must be finite and not negative")
	case u.LogBytes < 0:
		return bad("logBytes", "must not be negative")
	case !(u.ReadRequestUnits >= 0) || math.IsInf(u.ReadRequestUnits, 0):
		return bad("readRequestUnits", "must be finite and not negative")
	case !(u.WriteRequestUnits >= 0) || math.IsInf(u.WriteRequestUnits, 0):
		return bad("writeRequestUnits", "must be finite and not negative")
	}
	for i, e := range u.Express {
		if !(e.DurationMs >= 0) || !(e.MemoryMB >= 0) || math.IsInf(e.DurationMs+e.MemoryMB, 0) {
			return bad(fmt.Sprintf("express[%d]", i), "durationMs and memoryMB must be finite and not negative")
		}
	}
	for i, l := range u.Lambda {
		if l.MemoryMB < 128 || l.MemoryMB > 10240 {
			return bad(fmt.Sprintf("lambda[%d].memoryMB", i), "must be 128 to 10240")
		}
		if !(l.DurationMs >= 0) || math.IsInf(l.DurationMs, 0) {
			return bad(fmt.Sprintf("lambda[%d].durationMs", i), "must be finite and not negative")
		}
	}
	for i, r := range u.DynamoDBReads {
		if r.Bytes < 0 {
			return bad(fmt.Sprintf("dynamoDBReads[%d].bytes", i), "must not be negative")
		}
	}
	for i, w := range u.DynamoDBWrites {
		if w.Bytes < 0 || w.Bytes > 400*1024 {
			return bad(fmt.Sprintf("dynamoDBWrites[%d].bytes", i), "must be 0 to 409600 (DynamoDB's item limit)")
		}
	}
	return nil
}
