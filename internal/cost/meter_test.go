package cost_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/cost"
)

// A metered cached report costs what the hand-computed example does.
func TestMeterCollectsTheCachedReport(t *testing.T) {
	m := cost.NewMeter()
	ctx := cost.WithMeter(context.Background(), m)
	meter := cost.MeterFrom(ctx)
	meter.AddAPIRequest()
	meter.AddTrace(1)
	meter.AddLogBytes(4000)
	meter.AddExpress("vehicle-report", 150*time.Millisecond, 64)
	meter.AddExpress("ownership-authorization", 40*time.Millisecond, 0)
	meter.AddLambda("validate-vin", 128, 2400*time.Microsecond)
	meter.AddLambda("plan-report", 128, 4200*time.Microsecond)
	var wg sync.WaitGroup // the six cache reads of a Parallel state, at once
	for _, n := range []int{2048, 6144, 1024, 1024, 1024, 1024} {
		wg.Go(func() { meter.AddRead(n, false) })
	}
	wg.Wait()
	b, err := prices(t).Cost(m.Usage())
	if err != nil {
		t.Fatal(err)
	}
	if !near(b.Total, 0.0000143065787880310) {
		t.Errorf("total %.16g, want the hand-computed 1.43065787880310e-05", b.Total)
	}
	v, ok := cost.ParseUSD(cost.FormatUSD(b.Total))
	if !ok || v != 0.000014306579 {
		t.Errorf("header round trip: %s → %v", cost.FormatUSD(b.Total), v)
	}
}

func TestMeterEdges(t *testing.T) {
	var nilMeter *cost.Meter // no meter in the context: every call is a no-op
	nilMeter.AddAPIRequest()
	nilMeter.AddCapacity(1, 1)
	if u := nilMeter.Usage(); u.APIRequests != 0 {
		t.Error("nil meter recorded")
	}
	if cost.MeterFrom(context.Background()) != nil {
		t.Error("a meter out of nowhere")
	}
	m := cost.NewMeter()
	m.AddCapacity(0.5, 2)
	m.AddWrite(1500)
	b, err := prices(t).Cost(m.Usage())
	if err != nil || b.ReadRequestUnits != 0.5 || b.WriteRequestUnits != 4 {
		t.Errorf("units %v %v %v: reported capacity adds to computed units", b.ReadRequestUnits, b.WriteRequestUnits, err)
	}
	u := m.Usage()
	u.DynamoDBWrites[0].Bytes = 1
	if m.Usage().DynamoDBWrites[0].Bytes != 1500 {
		t.Error("Usage shares its slices with the meter")
	}
	for _, bad := range []string{"", "abc", "-1", "NaN", "1e9"} {
		if _, ok := cost.ParseUSD(bad); ok {
			t.Errorf("ParseUSD(%q) accepted", bad)
		}
	}
}
