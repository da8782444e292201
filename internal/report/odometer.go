package report

import "sort"

// MergeOdometer combines readings from every source, oldest first, and flags each reading that is
// lower than the highest one recorded before it: the signature of a clocked odometer. Readings on
// the same day keep their source order so the result is deterministic.
func MergeOdometer(readings ...[]OdometerReading) OdometerData {
	var all []OdometerReading
	for _, rs := range readings {
		all = append(all, rs...)
	}
	sort.SliceStable(all, func(i, j int) bool { return readingKey(all[i]) < readingKey(all[j]) })
	out := OdometerData{Readings: all}
	maxKm := -1
	for _, r := range all {
		if r.Km < maxKm {
			out.RollbackDetected = true
			out.Rollbacks = append(out.Rollbacks, Rollback{Month: r.Month, FromKm: maxKm, ToKm: r.Km})
			continue
		}
		maxKm = r.Km
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
