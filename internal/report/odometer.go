package report

import "sort"

// MergeOdometer combines readings from every source, oldest first, and reports each turn-back of
// the odometer once: a reading lower than the highest one since the previous turn-back (or since
// the first reading) starts a rollback, and that lower reading becomes the new baseline. The
// readings that follow a turn-back and stay below the old maximum are the car's ordinary mileage
// on the clocked odometer, not further rollbacks. Readings on the same day keep their source
// order so the result is deterministic.
func MergeOdometer(readings ...[]OdometerReading) OdometerData {
	var all []OdometerReading
	for _, rs := range readings {
		all = append(all, rs...)
	}
	sort.SliceStable(all, func(i, j int) bool { return readingKey(all[i]) < readingKey(all[j]) })
	out := OdometerData{Readings: all}
	var peak *OdometerReading
	for i := range all {
		r := &all[i]
		if peak != nil && r.Km < peak.Km {
			out.RollbackDetected = true
			out.Rollbacks = append(out.Rollbacks, Rollback{Month: r.Month, FromKm: peak.Km, ToKm: r.Km, Before: *peak, After: *r})
			peak = r
			continue
		}
		peak = r
	}
	if out.Readings == nil {
		out.Readings = []OdometerReading{}
	}
	return out
}

// readingKey orders by exact date where known, else by month.
func readingKey(r OdometerReading) string {
	if r.Date != "" {
		return r.Date
	}
	return r.Month + "-00"
}
